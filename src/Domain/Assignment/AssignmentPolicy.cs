using CoConstruisons.Domain.Contributions;

namespace CoConstruisons.Domain.Assignment;

/// <summary>
/// Which open items to try first for a contributor: owner priority, then model uncertainty (when
/// predictions exist), then the items closest to retirement (finish what is started); among gold items, which never
/// retire, the least-checked first. Items the
/// contributor answered or skipped, and retired items, are never candidates.
/// </summary>
public static class AssignmentPolicy
{
    public static IReadOnlyList<ItemProgress> Order(IEnumerable<ItemProgress> candidates, string contributorId, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(random);
        return candidates
            .Where(c => !c.Retired && !c.ContributorIds.Contains(contributorId))
            .Select(c => (Item: c, Tie: random.Next()))
            .OrderByDescending(c => c.Item.Priority)
            .ThenByDescending(c => c.Item.Uncertainty)
            // Gold items never retire: the least-checked come first, which also spreads concurrent
            // contributors over them instead of piling onto one stream.
            .ThenByDescending(c => c.Item.IsGold ? -c.Item.EvidenceCount : c.Item.EvidenceCount)
            .ThenBy(c => c.Tie)
            .Select(c => c.Item)
            .ToList();
    }
}
