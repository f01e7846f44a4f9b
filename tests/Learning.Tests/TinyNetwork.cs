using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>48 generated roofs and a 4-channel network trained on them in well under a second: the setting of the network trainer's tests.</summary>
internal static class TinyNetwork
{
    public static readonly List<LabelledImage> Items = TinyModelFixture.Generate(48, seed: 5);
    public static readonly string[] Classes = [.. Items.Select(i => i.Label).Distinct().Order(StringComparer.Ordinal)];
    public static readonly LabelSymmetry Symmetry = LabelSymmetry.Detect(Classes);
    public static readonly IReadOnlyList<int> Transforms = LabelSymmetry.Transforms(Augmentation.Dihedral);
    public static readonly CnnOptions Options = new() { Width = 4, Epochs = 2, BatchSize = 16, Optimizer = CnnOptimizer.AdamW, LearningRate = 0.005 };

    public static CnnModel Train(CnnOptions options, IReadOnlyList<float[]?>? voteShares = null) => CnnTrainer.Train(
        [.. Items.Select(i => (i.Image, Array.IndexOf(Classes, i.Label)))], Classes.Length, Symmetry, Transforms, options, null, CancellationToken.None, voteShares);

    /// <summary>Probabilities per class of the first <paramref name="count"/> roofs.</summary>
    public static float[][] Predict(CnnModel model, int count) => model.Predict([.. Items.Take(count).Select(i => i.Image)], Transforms, Symmetry, threads: 2);
}
