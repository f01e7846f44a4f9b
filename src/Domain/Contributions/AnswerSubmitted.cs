namespace CoConstruisons.Domain.Contributions;

/// <summary>
/// A contributor's choice on an item: the fact every label is built from. Appended to the item's
/// stream (stream id = item id) and never changed afterwards.
/// </summary>
public sealed record AnswerSubmitted(
    Guid AnswerId,
    Guid ItemId,
    Guid ProjectId,
    string ContributorId,
    string Choice,
    string Channel,
    int TimeTakenMs,
    string IdempotencyKey,
    DateTimeOffset SubmittedAt);

/// <summary>A contributor passed on an item (it will not be offered to them again).</summary>
public sealed record AnswerSkipped(Guid ItemId, Guid ProjectId, string ContributorId, string Channel, DateTimeOffset SkippedAt);
