namespace CoConstruisons.Domain.Contributors;

/// <summary>
/// A pseudonymous person. <see cref="Id"/> is a keyed hash of the channel identity: the platform
/// never stores a Slack user id or a web session id in clear.
/// </summary>
public sealed class Contributor
{
    public required string Id { get; set; }
    public required string Channel { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset ConsentedAt { get; set; }
    public string ConsentVersion { get; set; } = "";
}
