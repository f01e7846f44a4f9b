namespace CoConstruisons.Domain.Campaigns;

public enum ConsentState
{
    Unknown,
    Accepted,
    Declined,
}

/// <summary>A channel invited a contributor for the first time (greeting sent); the tone is the one they saw.</summary>
public sealed record ContributorInvited(Guid ProjectId, string ContributorId, string Channel, Tone Tone, DateTimeOffset At);

/// <summary>
/// The contributor accepted the consent notice of this version. <paramref name="Address"/> is the
/// channel's sealed delivery address (encrypted by the gateway; the platform cannot read it).
/// </summary>
public sealed record ConsentRecorded(Guid ProjectId, string ContributorId, string Channel, string ConsentVersion, string Address, DateTimeOffset At);

/// <summary>The contributor declined the consent notice.</summary>
public sealed record ConsentDeclined(Guid ProjectId, string ContributorId, string Channel, DateTimeOffset At);

/// <summary>The contributor said stop: no question, no nudge until they come back themselves (a new consent).</summary>
public sealed record ContributorOptedOut(Guid ProjectId, string ContributorId, string Channel, DateTimeOffset At);

/// <summary>An invitation was planned and handed to the channel to deliver, with the treatment it carries.</summary>
public sealed record NudgeSent(Guid NudgeId, Guid ProjectId, string ContributorId, string Channel, Tone Tone, QuestionMode Mode, int Questions, DateTimeOffset At);

/// <summary>
/// One contributor's relation with a project's campaigns (stream id = <see cref="StreamId"/>):
/// consent, stop, and every nudge. Built from its events.
/// </summary>
public sealed class Engagement
{
    public Guid Id { get; set; }

    /// <summary>The stream's version (Marten sets it; optimistic concurrency of nudge rounds).</summary>
    public long Version { get; set; }
    public Guid ProjectId { get; set; }
    public string ContributorId { get; set; } = "";
    public string Channel { get; set; } = "";
    public DateTimeOffset? InvitedAt { get; set; }
    public ConsentState Consent { get; set; }
    public DateTimeOffset? ConsentedAt { get; set; }
    public string ConsentVersion { get; set; } = "";
    public bool OptedOut { get; set; }
    public DateTimeOffset? OptedOutAt { get; set; }

    /// <summary>The sealed delivery address the channel gave with the consent.</summary>
    public string Address { get; set; } = "";

    /// <summary>When each nudge was sent, most recent 31 days (caps look back 7).</summary>
    public List<DateTimeOffset> Nudges { get; set; } = [];
    public int NudgesTotal { get; set; }

    /// <summary>Active = consented and not stopped: may be asked questions and invited.</summary>
    public bool Active => Consent == ConsentState.Accepted && !OptedOut;

    /// <summary>The stream of one contributor on one project: a name-based id (SHA-256 of both).</summary>
    public static Guid StreamId(Guid projectId, string contributorId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"engagement:{projectId:N}:{contributorId}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    public void Apply(ContributorInvited e)
    {
        Identify(e.ProjectId, e.ContributorId, e.Channel);
        InvitedAt ??= e.At;
    }

    public void Apply(ConsentRecorded e)
    {
        Identify(e.ProjectId, e.ContributorId, e.Channel);
        Consent = ConsentState.Accepted;
        ConsentedAt = e.At;
        ConsentVersion = e.ConsentVersion;
        OptedOut = false;
        OptedOutAt = null;
        if (e.Address.Length > 0)
        {
            Address = e.Address;
        }
    }

    public void Apply(ConsentDeclined e)
    {
        Identify(e.ProjectId, e.ContributorId, e.Channel);
        Consent = ConsentState.Declined;
    }

    public void Apply(ContributorOptedOut e)
    {
        Identify(e.ProjectId, e.ContributorId, e.Channel);
        OptedOut = true;
        OptedOutAt = e.At;
    }

    public void Apply(NudgeSent e)
    {
        Nudges.Add(e.At);
        Nudges.RemoveAll(n => e.At - n > TimeSpan.FromDays(31));
        NudgesTotal++;
    }

    private void Identify(Guid projectId, string contributorId, string channel)
    {
        ProjectId = projectId;
        ContributorId = contributorId;
        Channel = channel;
    }
}
