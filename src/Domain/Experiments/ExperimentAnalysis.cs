using System.Globalization;
using CoConstruisons.Domain.Experiments.Statistics;

namespace CoConstruisons.Domain.Experiments;

public enum MetricKind
{
    /// <summary>A share of units (two-proportion z-test).</summary>
    Proportion,

    /// <summary>A per-contributor count or amount (Welch's t-test).</summary>
    Mean,
}

/// <summary>One outcome measured per variant; guardrails must not get worse.</summary>
public sealed record MetricSpec(string Key, string NameFr, string NameEn, MetricKind Kind, bool HigherIsBetter, bool IsGuardrail)
{
    public static MetricSpec Recruitment { get; } = new("recruitment", "le recrutement (invitation → consentement)", "recruitment (invited → consent)", MetricKind.Proportion, true, false);
    public static MetricSpec Activation { get; } = new("activation", "l'activation (1re réponse sous 48 h)", "activation (first answer within 48 h)", MetricKind.Proportion, true, false);
    public static MetricSpec Answers7d { get; } = new("answers_7d", "les réponses sur 7 jours", "7-day answers", MetricKind.Mean, true, false);
    public static MetricSpec RetentionD1 { get; } = new("retention_d1", "la rétention à J1", "D1 retention", MetricKind.Proportion, true, false);
    public static MetricSpec RetentionD7 { get; } = new("retention_d7", "la rétention à J7", "D7 retention", MetricKind.Proportion, true, false);
    public static MetricSpec GoldAccuracy { get; } = new("gold_accuracy", "la justesse sur les questions de contrôle", "gold accuracy", MetricKind.Proportion, true, true);
    public static MetricSpec OptOut { get; } = new("opt_out", "le taux de désinscription", "opt-out rate", MetricKind.Proportion, false, true);

    public static IReadOnlyList<MetricSpec> All { get; } = [Recruitment, Activation, Answers7d, RetentionD1, RetentionD7, GoldAccuracy, OptOut];
}

/// <summary>
/// What happened to one invited contributor during the experiment (built by a projection from the
/// event stream: ExperimentExposure, consent, answers, gold feedback, opt-out).
/// </summary>
/// <param name="Consented">Accepted the consent after the invitation (recruited).</param>
/// <param name="FirstAnswerWithin48h">Answered a first question within 48 h of consenting.</param>
/// <param name="Answers7d">Answers in the 7 days after consenting.</param>
/// <param name="ActiveD1">Answered again on day 1 (24–48 h after the first answer).</param>
/// <param name="ActiveD7">Answered again on day 7 (7–8 days after the first answer).</param>
/// <param name="GoldCorrect">Correct answers to gold (control) questions.</param>
/// <param name="GoldTotal">Answers to gold questions.</param>
/// <param name="OptedOut">Asked to receive no more invitations.</param>
public sealed record ContributorOutcome(
    string ContributorId,
    string Variant,
    bool Consented,
    bool FirstAnswerWithin48h,
    int Answers7d,
    bool ActiveD1,
    bool ActiveD7,
    int GoldCorrect,
    int GoldTotal,
    bool OptedOut);

/// <summary>
/// What was decided before launch: the planned sample size per arm (from <see cref="SampleSize"/>),
/// α, and the minimum detectable relative effect (which sets the mSPRT mixing variance).
/// </summary>
public sealed record AnalysisPlan(long PlannedSampleSizePerArm, double Alpha = 0.05, double MinimumDetectableRelativeEffect = 0.10);

/// <summary>One metric, one variant versus the control.</summary>
public sealed record MetricComparison(
    MetricSpec Metric,
    string Variant,
    string Control,
    long ControlUnits,
    long VariantUnits,
    string Test,
    EffectEstimate Effect,
    double AlwaysValidPValue,
    bool IsInterim,
    bool Significant,
    bool GuardrailBreached,
    string VerdictFr,
    string VerdictEn);

public sealed record ExperimentReport(
    string Experiment,
    string Control,
    IReadOnlyDictionary<string, long> ContributorsPerVariant,
    bool IsInterim,
    string? PeekingWarningFr,
    string? PeekingWarningEn,
    IReadOnlyList<MetricComparison> Comparisons);

/// <summary>
/// Compares every variant with the control on every metric. Peeking protection: before the planned
/// sample size is reached the analysis is "interim" — significance is then judged only on the
/// always-valid mSPRT p-value, and the report says so in words; at or after the planned size the
/// classical fixed-horizon p-value is used.
/// </summary>
public static class ExperimentAnalyzer
{
    public static ExperimentReport Analyze(string experiment, string control, IReadOnlyList<ContributorOutcome> outcomes, AnalysisPlan plan)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(plan);
        var byVariant = outcomes.GroupBy(o => o.Variant, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (!byVariant.TryGetValue(control, out var controlOutcomes))
        {
            throw new ArgumentException($"No outcome for the control variant '{control}'.", nameof(control));
        }

        var sizes = byVariant.ToDictionary(kv => kv.Key, kv => (long)kv.Value.Count, StringComparer.Ordinal);
        var smallest = sizes.Values.Min();
        var interim = smallest < plan.PlannedSampleSizePerArm;
        var comparisons = new List<MetricComparison>();
        foreach (var (variant, variantOutcomes) in byVariant.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (variant == control)
            {
                continue;
            }

            foreach (var metric in MetricSpec.All)
            {
                var comparison = Compare(metric, control, controlOutcomes, variant, variantOutcomes, plan, interim);
                if (comparison is not null)
                {
                    comparisons.Add(comparison);
                }
            }
        }

        string? warnFr = null, warnEn = null;
        if (interim)
        {
            warnFr = $"Analyse intermédiaire : {smallest} contributeurs dans le plus petit bras sur {plan.PlannedSampleSizePerArm} prévus. " +
                     "Ne concluez pas sur les p-values classiques (regarder avant la taille prévue gonfle les faux positifs) ; " +
                     "seul le test séquentiel toujours valide (mSPRT) est utilisé pour dire « significatif ».";
            warnEn = $"Interim look: {smallest} contributors in the smallest arm out of {plan.PlannedSampleSizePerArm} planned. " +
                     "Do not conclude on classical p-values (looking before the planned size inflates false positives); " +
                     "only the always-valid sequential test (mSPRT) is used to call a result significant.";
        }

        return new ExperimentReport(experiment, control, sizes, interim, warnFr, warnEn, comparisons);
    }

    private static MetricComparison? Compare(
        MetricSpec metric, string control, List<ContributorOutcome> a, string variant, List<ContributorOutcome> b, AnalysisPlan plan, bool interim)
    {
        EffectEstimate effect;
        long na, nb;
        string test;
        if (metric.Kind == MetricKind.Mean)
        {
            var sa = SampleSummary.From(a.Where(o => o.Consented).Select(o => (double)o.Answers7d));
            var sb = SampleSummary.From(b.Where(o => o.Consented).Select(o => (double)o.Answers7d));
            if (sa.N < 2 || sb.N < 2)
            {
                return null;
            }

            effect = HypothesisTests.WelchTTest(sa, sb, plan.Alpha);
            (na, nb, test) = (sa.N, sb.N, "welch_t");
        }
        else
        {
            var pa = Proportion(metric, a);
            var pb = Proportion(metric, b);
            if (pa.Trials == 0 || pb.Trials == 0)
            {
                return null;
            }

            effect = HypothesisTests.TwoProportionZTest(pa, pb, plan.Alpha);
            (na, nb, test) = (pa.Trials, pb.Trials, "two_proportion_z");
        }

        // mSPRT mixing variance: the squared absolute effect the experiment was sized to detect.
        var tau = plan.MinimumDetectableRelativeEffect * Math.Max(Math.Abs(effect.ControlValue), 1e-9);
        var alwaysValid = SequentialTest.AlwaysValidPValue(effect.Absolute, effect.StandardError * effect.StandardError, tau * tau);
        var significant = interim ? alwaysValid < plan.Alpha : effect.PValue < plan.Alpha;
        var worse = metric.HigherIsBetter ? effect.Absolute < 0 : effect.Absolute > 0;
        var breached = metric.IsGuardrail && significant && worse;
        var (fr, en) = Verdict(metric, variant, effect, interim ? alwaysValid : effect.PValue, significant, breached);
        return new MetricComparison(metric, variant, control, na, nb, test, effect, alwaysValid, interim, significant, breached, fr, en);
    }

    private static ProportionSummary Proportion(MetricSpec metric, List<ContributorOutcome> outcomes)
    {
        var consented = outcomes.Where(o => o.Consented).ToList();
        return metric.Key switch
        {
            "recruitment" => new(outcomes.Count(o => o.Consented), outcomes.Count),
            "activation" => new(consented.Count(o => o.FirstAnswerWithin48h), consented.Count),
            "retention_d1" => new(consented.Count(o => o.ActiveD1), consented.Count),
            "retention_d7" => new(consented.Count(o => o.ActiveD7), consented.Count),
            "gold_accuracy" => new(outcomes.Sum(o => (long)o.GoldCorrect), outcomes.Sum(o => (long)o.GoldTotal)),
            "opt_out" => new(outcomes.Count(o => o.OptedOut), outcomes.Count),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric.Key, "Unknown proportion metric."),
        };
    }

    /// <summary>The verdict of one comparison, in French and in English.</summary>
    public static (string Fr, string En) Verdict(MetricSpec metric, string variant, EffectEstimate effect, double pValue, bool significant, bool guardrailBreached)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(effect);
        var fr = CultureInfo.GetCultureInfo("fr-FR");
        var en = CultureInfo.InvariantCulture;
        var up = effect.Absolute > 0;
        var effFr = $"{Pct(effect.Relative, fr)} [IC 95 % : {Pct(effect.RelativeLow, fr)} ; {Pct(effect.RelativeHigh, fr)}]";
        var effEn = $"{Pct(effect.Relative, en)} [95% CI: {Pct(effect.RelativeLow, en)}; {Pct(effect.RelativeHigh, en)}]";
        var pFr = pValue.ToString("0.###", fr);
        var pEn = pValue.ToString("0.###", en);
        if (guardrailBreached)
        {
            return ($"Garde-fou franchi : {metric.NameFr} {(up ? "augmente" : "baisse")} de {effFr} avec la variante « {variant} » (p = {pFr}). Arrêtez ou corrigez la variante.",
                    $"Guardrail breached: {metric.NameEn} {(up ? "up" : "down")} {effEn} with variant \"{variant}\" (p = {pEn}). Stop or fix the variant.");
        }

        if (significant)
        {
            return ($"La variante « {variant} » {(up ? "augmente" : "diminue")} {metric.NameFr} de {effFr}, significatif (p = {pFr}).",
                    $"Variant \"{variant}\" {(up ? "increases" : "decreases")} {metric.NameEn} by {effEn}, significant (p = {pEn}).");
        }

        return ($"Pas de différence détectable pour l'instant sur {metric.NameFr} avec « {variant} » : {effFr}, p = {pFr}.",
                $"No detectable difference yet on {metric.NameEn} with \"{variant}\": {effEn}, p = {pEn}.");
    }

    private static string Pct(double relative, CultureInfo culture)
    {
        if (double.IsNaN(relative))
        {
            return "n/a";
        }

        var pct = relative * 100;
        var text = Math.Abs(pct).ToString(Math.Abs(pct) < 10 ? "0.#" : "0", culture);
        var sign = pct > 0 ? "+" : pct < 0 ? (culture.Name == "fr-FR" ? "−" : "-") : "";
        return culture.Name == "fr-FR" ? $"{sign}{text} %" : $"{sign}{text}%";
    }
}
