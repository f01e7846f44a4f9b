namespace CoConstruisons.Domain.Items;

/// <summary>The owner declared the known answer of an item: it becomes a gold item.</summary>
public sealed record GoldAnswerSet(Guid ItemId, Guid ProjectId, string Choice, DateTimeOffset SetAt);

/// <summary>The item stops being asked: its consensus reached the target, or it hit its answer cap.</summary>
public sealed record ItemRetired(Guid ItemId, Guid ProjectId, string? Label, double Confidence, int Evidence, DateTimeOffset RetiredAt);
