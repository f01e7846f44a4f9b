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

    [Fact]
    public void Every_problem_is_given_in_french_and_in_english()
    {
        var problem = Assert.Single(ExperimentValidator.Problems(Tone() with { Variants = [new("neutral", 50.5m), new("playful", 40)] }));
        Assert.Equal("Expérience « NudgeTone » : les allocations totalisent 90,5 % ; elles doivent totaliser exactement 100 %.", problem.Fr);
        Assert.Equal("Experiment 'NudgeTone': the allocations add up to 90.5 %; they must add up to exactly 100 %.", problem.En);
        Assert.Equal("variants", problem.Field);

        var overlap = Assert.Single(ExperimentValidator.CatalogProblems([Tone("ToneA", ExperimentStatus.Running), Tone("ToneB", ExperimentStatus.Running)]));
        Assert.StartsWith("Experiments 'ToneA' and 'ToneB' are both on the tone lever", overlap.En, StringComparison.Ordinal);

        var unnamed = ExperimentValidator.Problems(Tone() with { Name = " ", Seed = "" });
        Assert.Contains(unnamed, p => p.En == "The experiment's name is required.");
        Assert.Contains(unnamed, p => p.Fr.StartsWith("Expérience sans nom : la graine", StringComparison.Ordinal)
            && p.En.StartsWith("Unnamed experiment: the seed is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Lifecycle_refusals_name_the_state_in_the_words_of_each_language()
    {
        var (running, _) = Tone().Start("r", Now);
        var (stopped, _) = running.Stop("r", Now, "fin");

        var restart = Assert.Throws<ExperimentDefinitionException>(() => stopped.Start("r", Now));
        Assert.Equal(["L'expérience « NudgeTone » ne peut démarrer que depuis l'état brouillon (état actuel : arrêtée)."], restart.ErrorsIn(english: false));
        Assert.Equal(["Experiment 'NudgeTone' can only be started from draft (current state: stopped)."], restart.ErrorsIn(english: true));

        var stopDraft = Assert.Throws<ExperimentDefinitionException>(() => Tone().Stop("r", Now, "fin"));
        Assert.Contains("état actuel : brouillon", stopDraft.Message, StringComparison.Ordinal);
        Assert.Equal(["Experiment 'NudgeTone' is not running (current state: draft)."], stopDraft.ErrorsIn(english: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Stopping_needs_a_reason(string reason)
    {
        var (running, _) = Tone().Start("r", Now);
        var ex = Assert.Throws<ExperimentDefinitionException>(() => running.Stop("r", Now, reason));
        Assert.Contains("motif de l'arrêt", ex.Message, StringComparison.Ordinal);
        Assert.Contains("give the reason", Assert.Single(ex.ErrorsIn(english: true)), StringComparison.Ordinal);
        Assert.Equal("fin", running.Stop("r", Now, " fin ").Event.Reason);
    }

    [Fact]
    public void A_reason_longer_than_the_audit_trail_keeps_is_refused_and_one_at_the_limit_is_kept()
    {
        var (running, _) = Tone().Start("r", Now);

        var ex = Assert.Throws<ExperimentDefinitionException>(() => running.Stop("r", Now, new string('x', ExperimentDefinition.MaxReasonLength + 1)));

        Assert.Equal(["Experiment 'NudgeTone': the reason for stopping it is too long (1001 characters, at most 1000)."], ex.ErrorsIn(english: true));
        Assert.Equal(ExperimentDefinition.MaxReasonLength, running.Stop("r", Now, new string('x', ExperimentDefinition.MaxReasonLength)).Event.Reason.Length);
    }

    [Fact]
    public void A_reallocation_to_a_variant_the_experiment_does_not_have_is_refused_naming_its_variants()
    {
        var ex = Assert.Throws<ExperimentDefinitionException>(() => Tone().ChangeAllocation([new("neutral", 50), new("bogus", 50)], "r", Now));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal("L'expérience « NudgeTone » n'a pas de variante « bogus » ; ses variantes sont neutral, playful, impact.", problem.Fr);
        Assert.Equal("Experiment 'NudgeTone' has no variant 'bogus'; its variants are neutral, playful, impact.", problem.En);

        var twice = Assert.Throws<ExperimentDefinitionException>(() => Tone().ChangeAllocation([new("neutral", 50), new("neutral", 50)], "r", Now));
        Assert.Contains("neutral' is given 2 times", Assert.Single(twice.ErrorsIn(english: true)), StringComparison.Ordinal);
    }

    [Fact]
    public void Variants_left_out_of_a_reallocation_go_to_zero_and_keep_their_place()
    {
        var (after, changed) = Tone().ChangeAllocation([new("playful", 40), new("neutral", 60)], "r", Now);

        IReadOnlyList<VariantAllocation> expected = [new("neutral", 60), new("playful", 40), new("impact", 0)];
        Assert.Equal(expected, after.Variants);
        Assert.Equal("neutral", after.ControlVariant);
        Assert.Equal(expected, changed.NewAllocations);
        Assert.Equal("neutral 34 % → 60 %, playful 33 % → 40 %, impact 33 % → 0 %", AuditLine.Of(changed)!.Summary);
    }

    [Fact]
    public void A_reallocation_that_changes_nothing_is_refused()
    {
        var ex = Assert.Throws<ExperimentDefinitionException>(() => Tone().ChangeAllocation([new("neutral", 34), new("playful", 33), new("impact", 33)], "r", Now));
        Assert.Equal("Experiment 'NudgeTone' is already allocated neutral 34 %, playful 33 %, impact 33 %: nothing to change.", Assert.Single(ex.ErrorsIn(english: true)));
    }

    [Fact]
    public void The_audit_line_of_a_reallocation_lists_every_share_that_moved_and_only_those()
    {
        var changed = new ExperimentAllocationChanged("NudgeTone",
            [new("neutral", 34), new("playful", 33), new("impact", 33)],
            [new("neutral", 34), new("bogus", 66)], "r", Now);
        Assert.Equal("playful 33 % → 0 %, impact 33 % → 0 %, bogus 0 % → 66 %", AuditLine.Of(changed)!.Summary);
    }

    [Fact]
    public void An_audience_that_is_not_one_of_the_three_is_refused()
    {
        var problem = Assert.Single(ExperimentValidator.Problems(Tone() with { Targeting = new([], [], (ExperimentAudience)3) }));
        Assert.Equal("audience", problem.Field);
        Assert.Contains("unknown audience (3)", problem.En, StringComparison.Ordinal);
    }

    [Fact]
    public void State_and_audit_words_read_in_each_language()
    {
        Assert.Equal(["brouillon", "en cours", "arrêtée"], Enum.GetValues<ExperimentStatus>().Select(s => ExperimentWords.Status(s, english: false)));
        Assert.Equal(["draft", "running", "stopped"], Enum.GetValues<ExperimentStatus>().Select(s => ExperimentWords.Status(s, english: true)));
        Assert.Equal("allocation modifiée", ExperimentWords.AuditKind("allocation_changed", english: false));
        Assert.Equal("allocation changed", ExperimentWords.AuditKind("allocation_changed", english: true));
    }
}
