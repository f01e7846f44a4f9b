namespace CoConstruisons.Domain.Items;

/// <summary>An image entered a project: the first event of the item's stream (stream id = item id).</summary>
public sealed record ItemAdded(Guid ItemId, Guid ProjectId, string FileName, string ContentHash, Guid AddedBy, DateTimeOffset AddedAt);
