namespace CoConstruisons.Domain.Contributions;

/// <summary>
/// A contributor's choice on an item: the fact every label is built from. Appended to the item's
/// stream (stream id = item id) and never changed afterwards. An answer given through the task
/// service also carries <see cref="Belief"/>, the item's consensus once this answer counted (null for
/// "don't know", and for imported answers, whose consensus comes from a refit).
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
    DateTimeOffset SubmittedAt,
    AnswerBelief? Belief = null);

/// <summary>
/// The item's consensus once an answer counted: the incremental update with the skills of refit
/// <see cref="FitId"/>, carried by the answer's own event (one event per answer where there were an
/// answer, an <see cref="Items.ItemBeliefUpdated"/> and sometimes an <see cref="Items.ItemRetired"/>).
/// The fields mean what they mean in <see cref="Items.ItemBeliefUpdated"/>; <see cref="RetiresItem"/>:
/// this answer retired the item (its consensus reached the project's target).
/// </summary>
public sealed record AnswerBelief(
    string Label,
    double Confidence,
    double[] LogScores,
    int Evidence,
    Guid FitId,
    double[]? PriorLogScores = null,
    string? PriorModelVersion = null,
    double PriorWeight = 0,
    bool RetiresItem = false);

/// <summary>A contributor passed on an item (it will not be offered to them again).</summary>
public sealed record AnswerSkipped(Guid ItemId, Guid ProjectId, string ContributorId, string Channel, DateTimeOffset SkippedAt);
