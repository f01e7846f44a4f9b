namespace CoConstruisons.Domain.Projects;

/// <summary>One labelling need. Stored as a Marten document; owners are the only people who can see it.</summary>
public sealed class Project
{
    public Guid Id { get; set; }
    public required ProjectSettings Settings { get; set; }
    public List<Guid> OwnerIds { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    public bool IsOwnedBy(Guid ownerId) => OwnerIds.Contains(ownerId);

    /// <summary>Adds a co-owner; returns false when that owner already had the project.</summary>
    public bool AddOwner(Guid ownerId)
    {
        if (OwnerIds.Contains(ownerId))
        {
            return false;
        }

        OwnerIds.Add(ownerId);
        return true;
    }
}
