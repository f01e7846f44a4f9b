using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Models;
using CoConstruisons.Domain.Projects;

namespace CoConstruisons.Domain.UnitTests.Models;

public sealed class ModelPriorTests
{
    private static readonly string[] Choices = ["a", "b", "c"];

    private static Dictionary<string, double> P(double a, double b, double c) => new(StringComparer.Ordinal) { ["a"] = a, ["b"] = b, ["c"] = c };

    [Fact]
    public void The_prior_is_the_weighted_log_of_the_probability_over_the_class_share_floored()
    {
        var prior = ModelPrior.LogScores(Choices, P(0.8, 0.2, 0), P(0.5, 0.25, 0.25), inTrainingSet: false, weight: 0.5)!;

        // Differences between choices are what count: 0.5 × log((0.8 / 0.5) / (0.2 / 0.25)), and the floor for 0.
        Assert.Equal(0.5 * Math.Log(1.6 / 0.8), prior[0] - prior[1], 12);
        Assert.Equal(0.5 * Math.Log(0.8 / (ModelPrior.ProbabilityFloor / 0.25)), prior[1] - prior[2], 12);
        Assert.Equal(0, prior.Sum(), 12);
    }

    [Fact]
    public void No_prior_for_weight_zero_a_training_item_no_prediction_or_a_missing_class()
    {
        Assert.Null(ModelPrior.LogScores(Choices, P(0.8, 0.1, 0.1), null, false, 0));
        Assert.Null(ModelPrior.LogScores(Choices, P(0.8, 0.1, 0.1), null, false, double.NaN));
        Assert.Null(ModelPrior.LogScores(Choices, P(0.8, 0.1, 0.1), null, inTrainingSet: true, 1));
        Assert.Null(ModelPrior.LogScores(Choices, null, null, false, 1));
        Assert.Null(ModelPrior.LogScores(Choices, new Dictionary<string, double> { ["a"] = 0.9, ["b"] = 0.1 }, null, false, 1));
        Assert.NotNull(ModelPrior.LogScores(Choices, P(0.8, 0.1, 0.1), null, false, 1));
    }

    [Fact]
    public void Rebase_swaps_the_prior_and_keeps_the_evidence()
    {
        double[] evidence = [1.5, -0.25, 0.75];
        var first = ModelPrior.LogScores(Choices, P(0.8, 0.1, 0.1), null, false, 1)!;
        var second = ModelPrior.LogScores(Choices, P(0.1, 0.1, 0.8), null, false, 0.5)!;

        var withFirst = ModelPrior.Rebase(evidence, null, first);
        var withSecond = ModelPrior.Rebase(withFirst, first, second);
        var back = ModelPrior.Rebase(withSecond, second, null);

        Assert.Equal(evidence, back, (x, y) => Math.Abs(x - y) < 1e-12);
        Assert.Equal(evidence[2] + second[2], withSecond[2], 12);
        Assert.True(ModelPrior.Same(null, null));
        Assert.False(ModelPrior.Same(first, null));
        Assert.False(ModelPrior.Same(first, second));
        Assert.True(ModelPrior.Same(first, [.. first]));
    }

    [Fact]
    public void An_item_takes_the_latest_prediction_unless_it_is_gold_or_was_trained_on()
    {
        var settings = new ProjectSettings("t", "", "q", [new Choice("a", "A"), new Choice("b", "B"), new Choice("c", "C")], false, "", 3, ModelPriorWeight: 1);
        var item = new ItemProgress { Id = Guid.NewGuid() };
        Assert.Null(item.ModelPriorFor(settings));

        item.Apply(new ItemPredicted(item.Id, Guid.Empty, Guid.Empty, "v1", "a", 0.8, P(0.8, 0.1, 0.1), false, DateTimeOffset.UnixEpoch));
        Assert.NotNull(item.ModelPriorFor(settings));
        Assert.Null(item.ModelPriorFor(settings with { ModelPriorWeight = 0 }));

        item.Apply(new ItemPredicted(item.Id, Guid.Empty, Guid.Empty, "v2", "a", 0.8, P(0.8, 0.1, 0.1), true, DateTimeOffset.UnixEpoch));
        Assert.Null(item.ModelPriorFor(settings));

        item.Apply(new ItemPredicted(item.Id, Guid.Empty, Guid.Empty, "v3", "a", 0.8, P(0.8, 0.1, 0.1), false, DateTimeOffset.UnixEpoch));
        item.Apply(new GoldAnswerSet(item.Id, Guid.Empty, "a", DateTimeOffset.UnixEpoch));
        Assert.Null(item.ModelPriorFor(settings));
    }
}
