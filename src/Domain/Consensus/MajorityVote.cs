namespace CoConstruisons.Domain.Consensus;

/// <summary>A label and how sure we are of it (the share of votes, or a posterior probability).</summary>
public sealed record LabelDecision(string Label, double Confidence);

/// <summary>Plain majority vote: the baseline every contributor-aware method must beat.</summary>
public static class MajorityVote
{
    /// <summary>
    /// The most voted choice and its share of the votes; ties go to the smallest key (ordinal) so
    /// the result does not depend on the order answers arrived in. Null when there is no vote.
    /// </summary>
    public static LabelDecision? Decide(IReadOnlyDictionary<string, int> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        string? best = null;
        var bestCount = 0;
        var total = 0;
        foreach (var (label, count) in votes)
        {
            total += count;
            if (count > bestCount || (count == bestCount && best is not null && string.CompareOrdinal(label, best) < 0))
            {
                best = label;
                bestCount = count;
            }
        }

        return best is null || total == 0 ? null : new LabelDecision(best, (double)bestCount / total);
    }
}
