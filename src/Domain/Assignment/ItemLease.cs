namespace CoConstruisons.Domain.Assignment;

/// <summary>One contributor holds a slot of an item until a time.</summary>
public sealed record LeaseHolder(string ContributorId, DateTimeOffset Until);

/// <summary>
/// The short reservations on one item, so that concurrent contributors never collect more answers
/// than the item still needs. Stored with optimistic concurrency: two nodes reserving the last slot
/// at once cannot both succeed.
/// </summary>
public sealed class ItemLease
{
    public Guid Id { get; set; }
    public List<LeaseHolder> Holders { get; set; } = [];

    /// <summary>
    /// Reserves a slot for <paramref name="contributorId"/> until <paramref name="until"/> if fewer
    /// than <paramref name="openSlots"/> other live holders (who have not answered yet) exist.
    /// Expired holders are dropped. Returns false when the item is fully reserved.
    /// </summary>
    public bool TryReserve(string contributorId, DateTimeOffset now, DateTimeOffset until, int openSlots, IReadOnlyCollection<string> answered)
    {
        Holders.RemoveAll(h => h.Until <= now || answered.Contains(h.ContributorId) || h.ContributorId == contributorId);
        if (Holders.Count >= openSlots)
        {
            return false;
        }

        Holders.Add(new LeaseHolder(contributorId, until));
        return true;
    }
}
