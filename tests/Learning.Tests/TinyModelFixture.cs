using CoConstruisons.Infrastructure.Images;
using CoConstruisons.Learning;

namespace CoConstruisons.Learning.Tests;

/// <summary>One small features model (LightGBM) trained on generated roofs, shared by the tests of a class (seconds).</summary>
public sealed class TinyModelFixture
{
    public IReadOnlyList<LabelledImage> Items { get; }

    public TrainingResult Result { get; }

    public TinyModelFixture()
    {
        Items = Generate(120, seed: 11);
        Result = Trainer.Train(Items, new TrainerOptions { Model = ModelKind.Features, Iterations = 40, MinExamplesPerLeaf = 5, TargetPrecision = 0.9 });
    }

    public static List<LabelledImage> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var choice = RoofImageGenerator.Choices[i % 4];
            return new LabelledImage($"roof-{seed}-{i:000}", ImageRaster.Decode(RoofImageGenerator.Draw(choice, random)), choice);
        }).ToList();
    }
}
