using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CoConstruisons.Gateways.Slack;

/// <summary>
/// What one gateway node remembers about a Slack user for the conversation's comfort only (where to
/// write, streaks, the series in progress). Consent, stop and nudges are the platform's: they are
/// events there (CampaignService), shared by every node.
/// </summary>
public sealed class SlackMember
{
    /// <summary>The consent notice was sent once (first interaction).</summary>
    public bool Greeted { get; set; }

    /// <summary>Direct-message channel with the bot (where questions and nudges go).</summary>
    public string? DirectChannel { get; set; }

    public DateOnly? LastAnswerDay { get; set; }
    public int StreakDays { get; set; }

    /// <summary>Questions left in the series started from a nudge; 0 = no limit (the user came by themselves).</summary>
    public int SeriesRemaining { get; set; }
}

/// <summary>
/// The gateway's own small store: in memory, saved as one JSON file under the data folder after every
/// change. Keys are HMAC-SHA256(team:user) under a random key kept next to the file, so the file alone
/// does not reveal who is who.
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

    /// <summary>Forgets a member entirely (erasure); true when there was something to forget.</summary>
    public async Task<bool> RemoveAsync(string slackUser, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (!_members.Remove(KeyOf(slackUser)))
            {
                return false;
            }

            await SaveAsync(ct);
            return true;
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
        Greeted = m.Greeted,
        DirectChannel = m.DirectChannel,
        LastAnswerDay = m.LastAnswerDay,
        StreakDays = m.StreakDays,
        SeriesRemaining = m.SeriesRemaining,
    };
}
