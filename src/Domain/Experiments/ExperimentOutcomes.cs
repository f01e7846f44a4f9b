namespace CoConstruisons.Domain.Experiments;

/// <summary>One answer of a contributor, as the outcome metrics need it.</summary>
/// <param name="GoldCorrect">True/false on a gold (control) item; null elsewhere.</param>
public sealed record AnswerFact(DateTimeOffset At, bool? GoldCorrect);

/// <summary>What a contributor did, read from the event store (consent, stop, answers).</summary>
public sealed record ContributorHistory(
    string ContributorId,
    DateTimeOffset? ConsentedAt,
    DateTimeOffset? OptedOutAt,
    IReadOnlyList<AnswerFact> Answers);

/// <summary>A metric's value for one variant as of the end of one day (for charts).</summary>
public sealed record OutcomePoint(DateOnly Day, string Metric, string Variant, double Value, long Units);

/// <summary>
/// The outcome projection of an experiment: folds its exposures and the exposed contributors'
/// histories into one <see cref="ContributorOutcome"/> each. A contributor belongs to the variant
/// of their <b>first</b> exposure (a later allocation change does not move them), and their windows
/// start then — or at their consent, when they consented after it (recruitment).
/// Windows still open count what happened so far: both arms are cut at the same instant, so the
/// comparison stays fair; the report is interim until the planned size is reached.
/// </summary>
public static class ExperimentOutcomes
{
    public static readonly TimeSpan RecruitmentWindow = TimeSpan.FromDays(7);

    public static IReadOnlyList<ContributorOutcome> Build(
        IEnumerable<ExperimentExposure> exposures, IReadOnlyDictionary<string, ContributorHistory> histories, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(exposures);
        ArgumentNullException.ThrowIfNull(histories);
        var first = exposures
            .Where(e => e.At <= asOf)
            .GroupBy(e => e.ContributorId, StringComparer.Ordinal)
            .Select(g => g.OrderBy(e => e.At).First());
        var outcomes = new List<ContributorOutcome>();
        foreach (var exposure in first)
        {
            var history = histories.GetValueOrDefault(exposure.ContributorId) ?? new ContributorHistory(exposure.ContributorId, null, null, []);
            outcomes.Add(Outcome(exposure, history, asOf));
        }

        return outcomes;
    }

    private static ContributorOutcome Outcome(ExperimentExposure exposure, ContributorHistory history, DateTimeOffset asOf)
    {
        var t0 = exposure.At;
        var consentedAt = history.ConsentedAt is { } c && c <= asOf ? c : (DateTimeOffset?)null;
        var consented = consentedAt is { } at && at <= t0 + RecruitmentWindow;
        var start = consentedAt is { } after && after > t0 ? after : t0;
        var answers = history.Answers.Where(a => a.At >= start && a.At <= asOf).OrderBy(a => a.At).ToList();
        var week = answers.Where(a => a.At < start + TimeSpan.FromDays(7)).ToList();
        var firstAnswer = answers.Count > 0 ? answers[0].At : (DateTimeOffset?)null;
        bool Within(TimeSpan from, TimeSpan to) =>
            firstAnswer is { } f && answers.Any(a => a.At >= f + from && a.At < f + to);
        var gold = week.Where(a => a.GoldCorrect is not null).ToList();
        var optedOut = history.OptedOutAt is { } o && o >= t0 && o <= asOf && o <= t0 + TimeSpan.FromDays(7);
        return new ContributorOutcome(
            exposure.ContributorId,
            exposure.Variant,
            consented,
            consented && firstAnswer is { } first && first <= start + TimeSpan.FromHours(48),
            consented ? week.Count : 0,
            consented && Within(TimeSpan.FromDays(1), TimeSpan.FromDays(2)),
            consented && Within(TimeSpan.FromDays(7), TimeSpan.FromDays(8)),
            gold.Count(a => a.GoldCorrect == true),
            gold.Count,
            optedOut);
    }

    /// <summary>
    /// Each metric per variant as of the end of every day (UTC) from the first exposure to
    /// <paramref name="until"/> (at most <paramref name="maxDays"/> days, the most recent ones).
    /// </summary>
    public static IReadOnlyList<OutcomePoint> Daily(
        IReadOnlyList<ExperimentExposure> exposures, IReadOnlyDictionary<string, ContributorHistory> histories, DateTimeOffset until, int maxDays = 60)
    {
        ArgumentNullException.ThrowIfNull(exposures);
        if (exposures.Count == 0)
        {
            return [];
        }

        var firstDay = DateOnly.FromDateTime(exposures.Min(e => e.At).UtcDateTime);
        var lastDay = DateOnly.FromDateTime(until.UtcDateTime);
        if (lastDay.DayNumber - firstDay.DayNumber >= maxDays)
        {
            firstDay = lastDay.AddDays(1 - maxDays);
        }

        var points = new List<OutcomePoint>();
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            var end = new DateTimeOffset(day.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero);
            var asOf = end < until ? end : until;
            foreach (var variant in Build(exposures, histories, asOf).GroupBy(o => o.Variant, StringComparer.Ordinal))
            {
                var all = variant.ToList();
                var consented = all.Where(o => o.Consented).ToList();
                void Add(string metric, double value, long units) => points.Add(new OutcomePoint(day, metric, variant.Key, value, units));
                static double Rate(long k, long n) => n == 0 ? double.NaN : (double)k / n;
                Add(MetricSpec.Recruitment.Key, Rate(all.Count(o => o.Consented), all.Count), all.Count);
                Add(MetricSpec.Activation.Key, Rate(consented.Count(o => o.FirstAnswerWithin48h), consented.Count), consented.Count);
                Add(MetricSpec.Answers7d.Key, consented.Count == 0 ? double.NaN : consented.Average(o => o.Answers7d), consented.Count);
                Add(MetricSpec.RetentionD1.Key, Rate(consented.Count(o => o.ActiveD1), consented.Count), consented.Count);
                Add(MetricSpec.RetentionD7.Key, Rate(consented.Count(o => o.ActiveD7), consented.Count), consented.Count);
                var goldTotal = all.Sum(o => (long)o.GoldTotal);
                Add(MetricSpec.GoldAccuracy.Key, Rate(all.Sum(o => (long)o.GoldCorrect), goldTotal), goldTotal);
                Add(MetricSpec.OptOut.Key, Rate(all.Count(o => o.OptedOut), all.Count), all.Count);
            }
        }

        return points;
    }
}
