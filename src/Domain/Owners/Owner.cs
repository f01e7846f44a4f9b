namespace CoConstruisons.Domain.Owners;

/// <summary>An agent of an administration who owns projects. Signs in to the portal.</summary>
public sealed class Owner
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public required string PasswordHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>May define, re-allocate, start and stop experiments and read their results.</summary>
    public bool IsResearcher { get; set; }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();
}
