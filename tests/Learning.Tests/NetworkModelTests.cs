using CoConstruisons.Learning;
using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>A small ensemble (compact network + features model) trained on generated roofs in seconds.</summary>
public sealed class TinyNetworkFixture
{
    public IReadOnlyList<LabelledImage> Items { get; }

    public TrainingResult Result { get; }

    public TinyNetworkFixture()
    {
        Items = TinyModelFixture.Generate(160, seed: 21);
        Result = Trainer.Train(Items, new TrainerOptions
        {
            Model = ModelKind.Ensemble,
            Iterations = 40,
            MinExamplesPerLeaf = 5,
            TargetPrecision = 0.9,
            Network = new CnnOptions { Width = 4, Epochs = 12, BatchSize = 16, Optimizer = CnnOptimizer.AdamW, LearningRate = 0.005 },
        });
    }
}

[UiCulture("en-GB")]
public sealed class NetworkModelTests(TinyNetworkFixture fixture) : IClassFixture<TinyNetworkFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coconstruisons-network-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void The_network_alone_does_better_than_chance_on_fresh_roofs_it_never_saw()
    {
        var fresh = TinyModelFixture.Generate(40, seed: 77);
        var classifier = fixture.Result.Classifier;
        var network = classifier.PredictNetwork(fresh.Select(i => i.Image).ToList())!;
        var correct = fresh.Where((item, i) => classifier.Classes[Evaluation.ArgMax(network[i])] == item.Label).Count();
        // A network this small trained for seconds on 100 images is weak (about half right here),
        // but a broken one answers one class (10/40) or at random (10 ± 3).
        Assert.True(correct >= 16, $"{correct}/40 correct (chance: 10)");
        Assert.All(network, p => Assert.Equal(1.0, p.Sum(), 3));
        Assert.InRange(classifier.Metadata.NetworkWeight, 0, 1);
        Assert.True(fixture.Result.Test.Accuracy >= 0.6, $"held-out accuracy {fixture.Result.Test.Accuracy}");
    }

    [Fact]
    public void A_quarter_turn_swaps_the_network_s_north_south_and_east_west_probabilities()
    {
        var classifier = fixture.Result.Classifier;
        var fresh = TinyModelFixture.Generate(24, seed: 8).Where(i => i.Label is "north_south" or "east_west").ToList();
        var original = classifier.PredictNetwork(fresh.Select(i => i.Image).ToList())!;
        var rotated = classifier.PredictNetwork(fresh.Select(i => i.Image.Transformed(1)).ToList())!;
        var ns = classifier.Classes.ToList().IndexOf("north_south");
        var ew = classifier.Classes.ToList().IndexOf("east_west");
        for (var i = 0; i < fresh.Count; i++)
        {
            Assert.Equal(original[i][ns], rotated[i][ew], 4);
            Assert.Equal(original[i][ew], rotated[i][ns], 4);
        }
    }

    [Fact]
    public void A_saved_ensemble_loads_back_with_its_network_and_predicts_the_same()
    {
        fixture.Result.Classifier.Save(_dir);
        Assert.Equal(
            [ImageClassifier.MetadataFile, ImageClassifier.ModelFile, ImageClassifier.NetworkFile],
            Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var loaded = ImageClassifier.Load(_dir);
        var images = fixture.Items.Take(8).Select(i => i.Image).ToList();
        var before = fixture.Result.Classifier.Predict(images);
        var after = loaded.Predict(images);
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(before[i], after[i]);
        }
    }

    [Fact]
    public void A_truncated_network_file_is_detected_and_named()
    {
        fixture.Result.Classifier.Save(_dir);
        var path = Path.Combine(_dir, ImageClassifier.NetworkFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("network.bin", ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_network_file_is_reported_by_name()
    {
        fixture.Result.Classifier.Save(_dir);
        File.Delete(Path.Combine(_dir, ImageClassifier.NetworkFile));
        var ex = Assert.Throws<ModelLoadException>(() => ImageClassifier.Load(_dir));
        Assert.Contains("network.bin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_file_that_is_not_a_network_is_refused_even_with_a_matching_checksum()
    {
        using var stream = new MemoryStream([.. System.Text.Encoding.ASCII.GetBytes(CnnModel.Magic), 1, 0, 0, 0]);
        var ex = Assert.Throws<InvalidDataException>(() => CnnModel.Read(stream));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        using var wrong = new MemoryStream("not a network at all"u8.ToArray());
        Assert.Contains("header", Assert.Throws<InvalidDataException>(() => CnnModel.Read(wrong)).Message, StringComparison.Ordinal);
    }
}
