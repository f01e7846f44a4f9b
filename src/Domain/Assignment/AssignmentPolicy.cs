using CoConstruisons.Domain.Contributions;

namespace CoConstruisons.Domain.Assignment;

/// <summary>What the assignment order looks at in an open item.</summary>
public interface IAssignmentCandidate
{
    int Priority { get; }

    double Uncertainty { get; }

    int EvidenceCount { get; }

    bool IsGold { get; }
}

/// <summary>
/// Which open items to try first for a contributor: owner priority, then model uncertainty (when
/// predictions exist), then the items closest to retirement (finish what is started); among gold
/// items, which never retire, the least-checked first. Items the contributor answered or skipped,
/// and retired items, are never candidates. The Application's candidate choice (each node's copy of
/// the open items) uses <see cref="Compare"/>; ties are broken at random there and here.
/// </summary>
public static class AssignmentPolicy
{
    /// <summary>Negative when <paramref name="a"/> comes first, positive when <paramref name="b"/> does, 0 for a tie.</summary>
    public static int Compare(IAssignmentCandidate a, IAssignmentCandidate b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Priority != b.Priority)
        {
            return a.Priority > b.Priority ? -1 : 1;
        }

        if (a.Uncertainty != b.Uncertainty)
        {
            return a.Uncertainty > b.Uncertainty ? -1 : 1;
        }

        // Gold items never retire: the least-checked come first, which also spreads concurrent
        // contributors over them instead of piling onto one stream.
        var ea = a.IsGold ? -a.EvidenceCount : a.EvidenceCount;
        var eb = b.IsGold ? -b.EvidenceCount : b.EvidenceCount;
        return ea == eb ? 0 : ea > eb ? -1 : 1;
    }

    public static IReadOnlyList<ItemProgress> Order(IEnumerable<ItemProgress> candidates, string contributorId, Random random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(random);
        var list = candidates
            .Where(c => !c.Retired && !c.ContributorIds.Contains(contributorId))
            .Select(c => (Item: c, Tie: random.Next()))
            .ToList();
        list.Sort((x, y) => Compare(x.Item, y.Item) is var c and not 0 ? c : x.Tie.CompareTo(y.Tie));
        return [.. list.Select(c => c.Item)];
    }
}
