using System.Security.Cryptography;
using System.Text;

namespace CoConstruisons.Gateways.Slack;

/// <summary>
/// The idempotency key of one click on an answer button: "slack-" + hex(HMAC-SHA256(key,
/// "team:user:action_ts:message_ts")) under a key derived (HKDF-SHA256) from the app's signing secret,
/// as <see cref="AddressSeal"/>'s is, with its own label. The same click sent again (Slack's retry, the
/// work journal after a restart, another node of the same app) gives the same key, so it is counted once;
/// the platform, which keeps the key with the answer (also after an erasure), never sees the secret, so
/// nobody holding a workspace export and an answer's time can recompute it for candidate users.
/// </summary>
public sealed class AnswerIdempotency
{
    private readonly byte[] _key;

    public AnswerIdempotency(SlackGatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _key = settings.KeyFor("slack-answer-idempotency-v1");
    }

    public string KeyOf(string teamId, string userId, string actionTs, string messageTs) =>
        "slack-" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{teamId}:{userId}:{actionTs}:{messageTs}")));
}
