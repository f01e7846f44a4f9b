using CoConstruisons.Domain.Experiments;
using static CoConstruisons.Domain.UnitTests.Experiments.ExperimentFixtures;

namespace CoConstruisons.Domain.UnitTests.Experiments;

public class ExperimentDefinitionTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_valid_definition_has_no_error() => Assert.Empty(ExperimentValidator.Validate(Tone()));

    [Fact]
    public void Allocations_that_do_not_sum_to_100_are_refused_with_the_actual_total()
    {
        var definition = Tone() with { Variants = [new("neutral", 50), new("playful", 40)] };
        var error = Assert.Single(ExperimentValidator.Validate(definition));
        Assert.Contains("totalisent 90 %", error, StringComparison.Ordinal);
        Assert.Contains("exactement 100 %", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_empty_and_too_few_variants_are_all_reported()
    {
        var duplicate = ExperimentValidator.Validate(Tone() with { Variants = [new("a", 50), new("a", 50)] });
        Assert.Contains(duplicate, e => e.Contains("« a » apparaît 2 fois", StringComparison.Ordinal));

        var empty = ExperimentValidator.Validate(Tone() with { Variants = [new("a", 50), new(" ", 50)] });
        Assert.Contains(empty, e => e.Contains("variante n° 2 n'a pas de nom", StringComparison.Ordinal));

        var single = ExperimentValidator.Validate(Tone() with { Variants = [new("a", 100)] });
        Assert.Contains(single, e => e.Contains("au moins 2 variantes", StringComparison.Ordinal));
    }

    [Fact]
    public void Changing_to_an_invalid_allocation_throws_and_lists_the_problem()
    {
        var ex = Assert.Throws<ExperimentDefinitionException>(() => Tone().ChangeAllocation([new("neutral", 70), new("playful", 70)], "researcher@etalab", Now));
        Assert.Contains(ex.Errors, e => e.Contains("140 %", StringComparison.Ordinal));
    }

    [Fact]
    public void An_allocation_change_produces_an_audit_event_with_old_and_new_values()
    {
        var before = Tone();
        IReadOnlyList<VariantAllocation> newAllocation = [new("neutral", 50), new("playful", 25), new("impact", 25)];

        var (after, changed) = before.ChangeAllocation(newAllocation, "researcher@etalab", Now);

        Assert.Equal(newAllocation, after.Variants);
        Assert.Equal("NudgeTone", changed.Experiment);
        Assert.Equal(before.Variants, changed.OldAllocations);
        Assert.Equal(newAllocation, changed.NewAllocations);
        Assert.Equal("researcher@etalab", changed.By);
        Assert.Equal(Now, changed.At);
    }

    [Fact]
    public void Two_running_experiments_on_one_lever_reaching_the_same_contributors_are_refused()
    {
        var a = Tone("ToneA", ExperimentStatus.Running);
        var b = Tone("ToneB", ExperimentStatus.Running);
        var error = Assert.Single(ExperimentValidator.ValidateCatalog([a, b]));
        Assert.Contains("« ToneA » et « ToneB »", error, StringComparison.Ordinal);
        Assert.Contains("levier tone", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlap_is_accepted_when_both_allow_it_or_targeting_is_disjoint_or_levers_differ()
    {
        var a = Tone("ToneA", ExperimentStatus.Running);
        var b = Tone("ToneB", ExperimentStatus.Running);
        Assert.Empty(ExperimentValidator.ValidateCatalog([a with { AllowOverlap = true }, b with { AllowOverlap = true }]));
        Assert.NotEmpty(ExperimentValidator.ValidateCatalog([a with { AllowOverlap = true }, b]));
        Assert.Empty(ExperimentValidator.ValidateCatalog([
            a with { Targeting = new ExperimentTargeting([], [], ExperimentAudience.New) },
            b with { Targeting = new ExperimentTargeting([], [], ExperimentAudience.Returning) },
        ]));
        Assert.Empty(ExperimentValidator.ValidateCatalog([
            a with { Targeting = new ExperimentTargeting(["p1"], [], ExperimentAudience.All) },
            b with { Targeting = new ExperimentTargeting(["p2"], [], ExperimentAudience.All) },
        ]));
        Assert.Empty(ExperimentValidator.ValidateCatalog([a, b with { Lever = ExperimentLever.Frequency }]));
        Assert.Empty(ExperimentValidator.ValidateCatalog([a, b with { Status = ExperimentStatus.Draft }]));
    }

    [Fact]
    public void Start_and_stop_follow_the_lifecycle_and_emit_events()
    {
        var (running, started) = Tone().Start("r", Now);
        Assert.Equal(ExperimentStatus.Running, running.Status);
        Assert.Equal(new ExperimentStarted("NudgeTone", "r", Now), started);
        var (stopped, stop) = running.Stop("r", Now, "fin");
        Assert.Equal(ExperimentStatus.Stopped, stopped.Status);
        Assert.Equal("fin", stop.Reason);
        Assert.Throws<ExperimentDefinitionException>(() => stopped.Start("r", Now));
    }
}
