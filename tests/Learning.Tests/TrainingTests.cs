using CoConstruisons.Learning;

namespace CoConstruisons.Learning.Tests;

[UiCulture("en-GB")]
public sealed class TrainingTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void A_tiny_model_beats_chance_on_its_held_out_images()
    {
        // Four balanced classes: chance is 0.25.
        Assert.True(fixture.Result.Test.Accuracy >= 0.6, $"accuracy {fixture.Result.Test.Accuracy}");
        Assert.Equal(fixture.Result.TestImages, fixture.Result.Test.Items);
        Assert.Equal(fixture.Result.TestImages, fixture.Result.Test.Confusion.Sum(row => row.Sum()));
    }

    [Fact]
    public void The_model_recognises_fresh_images_it_never_saw()
    {
        var fresh = TinyModelFixture.Generate(40, seed: 99);
        var probabilities = fixture.Result.Classifier.Predict(fresh.Select(i => i.Image).ToList());
        var classes = fixture.Result.Classifier.Classes;
        var correct = fresh.Where((item, i) => classes[Evaluation.ArgMax(probabilities[i])] == item.Label).Count();
        Assert.True(correct >= 24, $"{correct}/40 correct");
        Assert.All(probabilities, p => Assert.Equal(1.0, p.Sum(), 3));
    }

    [Fact]
    public void A_quarter_turned_north_south_roof_is_predicted_east_west()
    {
        var classifier = fixture.Result.Classifier;
        var fresh = TinyModelFixture.Generate(40, seed: 5).Where(i => i.Label is "north_south" or "east_west").ToList();
        var turned = fresh.Select(i => i.Image.Transformed(1)).ToList();
        var original = classifier.Predict(fresh.Select(i => i.Image).ToList());
        var rotated = classifier.Predict(turned);
        var ns = classifier.Classes.ToList().IndexOf("north_south");
        var ew = classifier.Classes.ToList().IndexOf("east_west");
        for (var i = 0; i < fresh.Count; i++)
        {
            // Test-time averaging over the 8 symmetries makes the prediction exactly equivariant.
            Assert.Equal(original[i][ns], rotated[i][ew], 3);
            Assert.Equal(original[i][ew], rotated[i][ns], 3);
        }
    }

    [Fact]
    public void The_auto_label_threshold_is_a_probability_or_means_nothing_is_auto_labelled()
    {
        var policy = fixture.Result.AutoLabel;
        Assert.True(policy.Threshold is > 0 and <= 1 || policy.Threshold == Evaluation.NoThreshold);
        Assert.InRange(policy.Coverage, 0, 1);
    }

    [Fact]
    public void Training_with_a_single_class_is_refused_clearly()
    {
        var items = TinyModelFixture.Generate(8, seed: 3).Select(i => i with { Label = "flat" }).ToList();
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Train(items, new TrainerOptions()));
        Assert.Contains("at least two classes", ex.Message, StringComparison.Ordinal);
    }
}
