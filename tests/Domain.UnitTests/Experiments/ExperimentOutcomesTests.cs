using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Domain.UnitTests.Experiments;

public sealed class ExperimentOutcomesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static ExperimentExposure Exposure(string who, string variant, double hoursAfterT0 = 0) =>
        new(who, "NudgeTone", variant, "tone", T0.AddHours(hoursAfterT0));

    private static AnswerFact Answer(double hoursAfterT0, bool? gold = null) => new(T0.AddHours(hoursAfterT0), gold);

    [Fact]
    public void Each_metric_is_measured_from_the_first_exposure_in_the_variant_first_seen()
    {
        var exposures = new[] { Exposure("a", "playful"), Exposure("a", "neutral", 30), Exposure("b", "neutral") };
        var histories = new Dictionary<string, ContributorHistory>
        {
            // a: consented before; answers at 1 h, 25 h (day 1 after the first), 160 h (still in the first week),
            // 175 h (day 7 after the first, outside the 7-day count) and 200 h; one gold right, one wrong.
            ["a"] = new("a", T0.AddDays(-3), null, [Answer(1, gold: true), Answer(25), Answer(160, gold: false), Answer(175), Answer(200)]),
            // b: consented 3 days after the invitation, never answered, stopped on day 5.
            ["b"] = new("b", T0.AddDays(3), T0.AddDays(5), []),
        };

        var outcomes = ExperimentOutcomes.Build(exposures, histories, T0.AddDays(30)).ToDictionary(o => o.ContributorId);

        Assert.Equal(new ContributorOutcome("a", "playful", true, true, 3, true, true, 1, 2, false), outcomes["a"]);
        Assert.Equal(new ContributorOutcome("b", "neutral", true, false, 0, false, false, 0, 0, true), outcomes["b"]);
    }

    [Fact]
    public void Nothing_after_the_cut_counts_and_a_late_consent_is_no_recruitment()
    {
        var histories = new Dictionary<string, ContributorHistory>
        {
            ["a"] = new("a", T0.AddDays(10), null, [Answer(24 * 10 + 1)]),
        };
        var late = Assert.Single(ExperimentOutcomes.Build([Exposure("a", "playful")], histories, T0.AddDays(30)));
        Assert.False(late.Consented);
        Assert.Empty(ExperimentOutcomes.Build([Exposure("a", "playful")], histories, T0.AddHours(-1)));
        var early = Assert.Single(ExperimentOutcomes.Build([Exposure("a", "playful")], histories, T0.AddDays(2)));
        Assert.False(early.Consented); // not yet consented as of the cut
    }

    [Fact]
    public void Daily_curves_give_each_variant_its_value_as_of_each_day()
    {
        var exposures = new[] { Exposure("a", "playful"), Exposure("b", "neutral", 24) };
        var histories = new Dictionary<string, ContributorHistory>
        {
            ["a"] = new("a", T0.AddDays(-1), null, [Answer(2)]),
            ["b"] = new("b", T0.AddDays(-1), null, []),
        };
        var points = ExperimentOutcomes.Daily(exposures, histories, T0.AddDays(2));
        var activation = points.Where(p => p.Metric == "activation").ToList();
        Assert.Equal(3, activation.Count(p => p.Variant == "playful"));       // 2 Mar, 3 Mar, 4 Mar
        Assert.Equal(2, activation.Count(p => p.Variant == "neutral"));       // from 3 Mar, its first exposure
        Assert.All(activation.Where(p => p.Variant == "playful"), p => Assert.Equal(1.0, p.Value));
        Assert.All(activation.Where(p => p.Variant == "neutral"), p => Assert.Equal(0.0, p.Value));
        Assert.Empty(ExperimentOutcomes.Daily([], histories, T0));
    }
}
