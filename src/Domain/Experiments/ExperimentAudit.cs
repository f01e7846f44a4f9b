using System.Globalization;

namespace CoConstruisons.Domain.Experiments;

/// <summary>One line of an experiment's audit trail, in words (portal, CLI).</summary>
/// <param name="Kind">"defined", "allocation_changed", "started" or "stopped".</param>
/// <param name="Summary">e.g. "neutral 50 % → 30 %, playful 50 % → 70 %".</param>
public sealed record AuditLine(DateTimeOffset At, string By, string Kind, string Summary)
{
    /// <summary>The line for an audit event; null for anything else.</summary>
    public static AuditLine? Of(object e) => e switch
    {
        ExperimentDefined d => new(d.At, d.By, "defined", Shares(d.Definition.Variants)),
        ExperimentAllocationChanged c => new(c.At, c.By, "allocation_changed", Changes(c.OldAllocations, c.NewAllocations)),
        ExperimentStarted s => new(s.At, s.By, "started", ""),
        ExperimentStopped s => new(s.At, s.By, "stopped", s.Reason),
        _ => null,
    };

    /// <summary>
    /// Every variant whose share changed, old → new ("neutral 34 % → 50 %, impact 33 % → 0 %"), a
    /// variant missing on one side counting as 0 %; unchanged variants are left out.
    /// </summary>
    public static string Changes(IEnumerable<VariantAllocation> before, IEnumerable<VariantAllocation> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var (old, now) = (before.ToList(), after.ToList());
        var names = old.Select(v => v.Name).Concat(now.Select(v => v.Name)).Distinct(StringComparer.Ordinal);
        return string.Join(", ", names
            .Select(name => (name, from: Share(old, name), to: Share(now, name)))
            .Where(c => c.from != c.to)
            .Select(c => $"{c.name} {Percent(c.from)} % → {Percent(c.to)} %"));
    }

    /// <summary>"neutral 34 %, playful 33 %, …".</summary>
    public static string Shares(IEnumerable<VariantAllocation> variants) =>
        string.Join(", ", variants.Select(v => $"{v.Name} {Percent(v.Percent)} %"));

    /// <summary>The lever's name on the wire and in files: tone, frequency, question_mode.</summary>
    public static string LeverName(ExperimentLever lever) => lever switch
    {
        ExperimentLever.Tone => "tone",
        ExperimentLever.Frequency => "frequency",
        _ => "question_mode",
    };

    private static decimal Share(List<VariantAllocation> variants, string name) =>
        variants.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal))?.Percent ?? 0m;

    private static string Percent(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
