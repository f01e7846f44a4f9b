namespace CoConstruisons.Application.Abstractions;

/// <summary>
/// Issues and checks signed, expiring tokens (owner access, web contributor sessions,
/// reservations). A token signed for one purpose is never accepted for another.
/// </summary>
public interface ITokenService
{
    string Issue<T>(string purpose, T payload, DateTimeOffset expiresAt);

    /// <summary>The payload of a genuine, unexpired token for this purpose; null otherwise.</summary>
    T? Read<T>(string purpose, string token)
        where T : class;
}

public static class TokenPurposes
{
    public const string Owner = "owner";
    public const string WebSession = "web-session";
    public const string Reservation = "reservation";
    public const string IdentityLink = "identity-link";
}
