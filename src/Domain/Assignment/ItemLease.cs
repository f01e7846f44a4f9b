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
    /// The most evidence any writer of this lease had seen. A writer drops the holders it saw answer,
    /// so it records how much evidence it saw: a later writer reading an older snapshot of the item
    /// then still counts those answers, and live holders + evidence never exceed the maximum.
    /// </summary>
    public int EvidenceSeen { get; set; }

    /// <summary>
    /// Reserves a slot for <paramref name="contributorId"/> until <paramref name="until"/> if live
    /// holders who have not answered yet, plus the answers already given, leave room under
    /// <paramref name="maxAnswers"/>. Expired holders are dropped. Returns false when the item is full.
    /// </summary>
    public bool TryReserve(
        string contributorId, DateTimeOffset now, DateTimeOffset until, int maxAnswers, int evidence, IReadOnlyCollection<string> answered)
    {
        ArgumentNullException.ThrowIfNull(answered);
        EvidenceSeen = Math.Max(EvidenceSeen, evidence);
        Holders.RemoveAll(h => h.Until <= now || answered.Contains(h.ContributorId) || h.ContributorId == contributorId);
        if (Holders.Count + EvidenceSeen >= maxAnswers)
        {
            return false;
        }

        Holders.Add(new LeaseHolder(contributorId, until));
        return true;
    }
}
