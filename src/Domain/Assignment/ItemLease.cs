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
    /// Who any writer of this lease saw give evidence (an answer other than "don't know"). Two nodes
    /// may each have seen a different answer of one item (each its own, before refreshing its copy):
    /// the union of what they saw counts both, where the larger of their two counts would count one
    /// and let a third slot be handed out.
    /// </summary>
    public List<string> Answered { get; set; } = [];

    /// <summary>
    /// Reserves a slot for <paramref name="contributorId"/> until <paramref name="until"/> if live
    /// holders who have not answered yet, plus the answers already given, leave room under
    /// <paramref name="maxAnswers"/>. <paramref name="answered"/> is everyone the writer saw answer or
    /// skip the item, <paramref name="abstained"/> those of them whose answer is not evidence ("don't
    /// know", skip), <paramref name="evidence"/> how many answers with evidence the writer saw.
    /// Expired holders are dropped. Returns false when the item is full.
    /// </summary>
    public bool TryReserve(
        string contributorId, DateTimeOffset now, DateTimeOffset until, int maxAnswers, int evidence,
        IReadOnlyCollection<string> answered, IReadOnlyCollection<string> abstained)
    {
        ArgumentNullException.ThrowIfNull(answered);
        ArgumentNullException.ThrowIfNull(abstained);
        EvidenceSeen = Math.Max(EvidenceSeen, evidence);
        foreach (var id in answered)
        {
            if (!abstained.Contains(id) && !Answered.Contains(id))
            {
                Answered.Add(id);
            }
        }

        Holders.RemoveAll(h => h.Until <= now || answered.Contains(h.ContributorId) || Answered.Contains(h.ContributorId) || h.ContributorId == contributorId);
        if (Holders.Count + Math.Max(EvidenceSeen, Answered.Count) >= maxAnswers)
        {
            return false;
        }

        Holders.Add(new LeaseHolder(contributorId, until));
        return true;
    }
}
