namespace CoConstruisons.Domain.Items;

/// <summary>One image to be labelled, with its metadata. <see cref="ContentHash"/> is the SHA-256 of the bytes.</summary>
public sealed class Item
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public required string FileName { get; set; }
    public required string ContentHash { get; set; }
    public required string MediaType { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public long SizeBytes { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>The known answer when the owner marked this item as gold; null otherwise.</summary>
    public string? GoldChoice { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
