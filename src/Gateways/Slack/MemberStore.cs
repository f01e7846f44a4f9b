using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CoConstruisons.Gateways.Slack;

public enum ConsentState
{
    Unknown,
    Accepted,
    Declined,
}

/// <summary>What the gateway remembers about one Slack user. No Slack id is kept: records are keyed by a keyed hash.</summary>
public sealed class SlackMember
{
    public ConsentState Consent { get; set; }
    public DateTimeOffset? ConsentedAt { get; set; }
    public string? ConsentVersion { get; set; }

    /// <summary>The user said stop: no question, no nudge until they come back themselves.</summary>
    public bool Stopped { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }

    /// <summary>The consent notice was sent once (first interaction).</summary>
    public bool Greeted { get; set; }

    /// <summary>Direct-message channel with the bot (where questions and nudges go).</summary>
    public string? DirectChannel { get; set; }

    public DateOnly? LastAnswerDay { get; set; }
    public int StreakDays { get; set; }

    /// <summary>Questions left in the series started from a nudge; 0 = no limit (the user came by themselves).</summary>
    public int SeriesRemaining { get; set; }

    /// <summary>Every nudge sent to this user (UTC).</summary>
    public List<DateTimeOffset> Nudges { get; set; } = [];

    public bool Active => Consent == ConsentState.Accepted && !Stopped;
}

/// <summary>
/// The gateway's own small store (consent, stop, streaks, nudges): in memory, saved as one JSON file
/// under the data folder after every change. Keys are HMAC-SHA256(team:user) under a random key kept
/// next to the file, so the file alone does not reveal who is who. One gateway node per data folder.
/// </summary>
public sealed class MemberStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly string _file;
    private readonly byte[] _key;
    private readonly Dictionary<string, SlackMember> _members;

    public MemberStore(SlackGatewaySettings settings)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        _file = Path.Combine(settings.DataDirectory, "members.json");
        var keyFile = Path.Combine(settings.DataDirectory, "members.key");
        if (!File.Exists(keyFile))
        {
            File.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(32));
        }

        _key = File.ReadAllBytes(keyFile);
        _members = File.Exists(_file)
            ? JsonSerializer.Deserialize<Dictionary<string, SlackMember>>(File.ReadAllText(_file), Json) ?? []
            : [];
    }

    public string KeyOf(string slackUser) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(slackUser)));

    public async Task<SlackMember> GetAsync(string slackUser, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            return Copy(_members.GetValueOrDefault(KeyOf(slackUser)) ?? new SlackMember());
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Changes one member and saves; returns the member as saved.</summary>
    public async Task<SlackMember> UpdateAsync(string slackUser, Action<SlackMember> change, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var key = KeyOf(slackUser);
            var member = _members.TryGetValue(key, out var existing) ? existing : new SlackMember();
            change(member);
            _members[key] = member;
            await SaveAsync(ct);
            return Copy(member);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A snapshot of every member, by key (for campaigns).</summary>
    public async Task<IReadOnlyDictionary<string, SlackMember>> AllAsync(CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            return _members.ToDictionary(p => p.Key, p => Copy(p.Value));
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Changes a member found by key (campaigns only know keys).</summary>
    public async Task UpdateByKeyAsync(string key, Action<SlackMember> change, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (_members.TryGetValue(key, out var member))
            {
                change(member);
                await SaveAsync(ct);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        var temp = _file + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(_members, Json), ct);
        File.Move(temp, _file, overwrite: true);
    }

    private static SlackMember Copy(SlackMember m) => new()
    {
        Consent = m.Consent,
        ConsentedAt = m.ConsentedAt,
        ConsentVersion = m.ConsentVersion,
        Stopped = m.Stopped,
        StoppedAt = m.StoppedAt,
        Greeted = m.Greeted,
        DirectChannel = m.DirectChannel,
        LastAnswerDay = m.LastAnswerDay,
        StreakDays = m.StreakDays,
        SeriesRemaining = m.SeriesRemaining,
        Nudges = [.. m.Nudges],
    };
}
