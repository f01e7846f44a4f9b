using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Domain.UnitTests.Experiments;

public class ExperimentAnalyzerTests
{
    private static List<ContributorOutcome> Arm(string variant, int n, Func<int, int> answers, Func<int, bool> optOut)
    {
        var rng = new Random(variant.Length * 7919 + n);
        return Enumerable.Range(0, n).Select(i => new ContributorOutcome(
            $"{variant}-{i}", variant, Consented: i % 2 == 0, FirstAnswerWithin48h: i % 3 == 0, answers(rng.Next(1000)),
            ActiveD1: i % 4 == 0, ActiveD7: i % 8 == 0, GoldCorrect: 9, GoldTotal: 10, OptedOut: optOut(i))).ToList();
    }

    [Fact]
    public void A_clear_increase_in_answers_is_called_significant_in_both_languages()
    {
        var outcomes = Arm("neutral", 4000, r => r % 10, _ => false).Concat(Arm("playful", 4000, r => (r % 10) + 2, _ => false)).ToList();
        var report = ExperimentAnalyzer.Analyze("NudgeTone", "neutral", outcomes, new AnalysisPlan(2000));

        Assert.False(report.IsInterim);
        var answers = report.Comparisons.Single(c => c.Metric == MetricSpec.Answers7d);
        Assert.True(answers.Significant);
        Assert.StartsWith("La variante « playful » augmente les réponses sur 7 jours de +", answers.VerdictFr, StringComparison.Ordinal);
        Assert.Contains("[IC 95 % :", answers.VerdictFr, StringComparison.Ordinal);
        Assert.Contains("significatif", answers.VerdictFr, StringComparison.Ordinal);
        Assert.StartsWith("Variant \"playful\" increases 7-day answers by +", answers.VerdictEn, StringComparison.Ordinal);
        var d1 = report.Comparisons.Single(c => c.Metric == MetricSpec.RetentionD1);
        Assert.False(d1.Significant);
        Assert.StartsWith("No detectable difference yet on D1 retention", d1.VerdictEn, StringComparison.Ordinal);
    }

    [Fact]
    public void A_significant_rise_of_opt_outs_is_a_breached_guardrail()
    {
        var outcomes = Arm("neutral", 3000, r => r % 10, i => i % 50 == 0).Concat(Arm("playful", 3000, r => r % 10, i => i % 10 == 0)).ToList();
        var report = ExperimentAnalyzer.Analyze("NudgeTone", "neutral", outcomes, new AnalysisPlan(3000));
        var optOut = report.Comparisons.Single(c => c.Metric == MetricSpec.OptOut);
        Assert.True(optOut.GuardrailBreached);
        Assert.StartsWith("Guardrail breached: opt-out rate up +", optOut.VerdictEn, StringComparison.Ordinal);
        Assert.StartsWith("Garde-fou franchi : le taux de désinscription augmente", optOut.VerdictFr, StringComparison.Ordinal);
    }

    [Fact]
    public void Looking_before_the_planned_size_warns_and_judges_on_the_sequential_p_value()
    {
        // A modest effect: the fixed-horizon p-value would call it, the always-valid one must not.
        var outcomes = Arm("neutral", 2000, r => r % 10, _ => false).Concat(Arm("playful", 2000, r => (r % 10) + (r % 3 == 0 ? 1 : 0), _ => false)).ToList();
        var report = ExperimentAnalyzer.Analyze("NudgeTone", "neutral", outcomes, new AnalysisPlan(20_000));

        Assert.True(report.IsInterim);
        Assert.Contains("Analyse intermédiaire", report.PeekingWarningFr, StringComparison.Ordinal);
        Assert.Contains("Interim look", report.PeekingWarningEn, StringComparison.Ordinal);
        var answers = report.Comparisons.Single(c => c.Metric == MetricSpec.Answers7d);
        Assert.True(answers.Effect.PValue < 0.05, $"fixed p = {answers.Effect.PValue}");
        Assert.True(answers.AlwaysValidPValue >= answers.Effect.PValue);
        Assert.Equal(answers.AlwaysValidPValue < 0.05, answers.Significant);
    }
}
