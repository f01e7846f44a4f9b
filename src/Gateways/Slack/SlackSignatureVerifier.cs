using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CoConstruisons.Gateways.Slack;

public enum SignatureCheck
{
    Valid,
    Missing,
    Stale,
    Mismatch,
}

/// <summary>
/// Checks a request exactly as Slack documents it: X-Slack-Signature must equal
/// "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)),
/// compared in constant time, and the timestamp must be within five minutes of now.
/// </summary>
public sealed class SlackSignatureVerifier(SlackGatewaySettings settings, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes("v0:" + timestamp + ":");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), message));
    }

    public SignatureCheck Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.Missing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - seconds) > MaxAge.TotalSeconds)
        {
            return SignatureCheck.Stale;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(settings.SigningSecret, timestamp, body));
        var presented = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }
}
