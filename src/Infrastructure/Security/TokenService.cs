using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CoConstruisons.Application.Abstractions;
using System.Buffers.Text;

namespace CoConstruisons.Infrastructure.Security;

/// <summary>
/// Compact signed tokens: base64url(JSON payload with expiry) "." base64url(HMAC-SHA256). The key
/// is derived per purpose, so a token issued for one purpose never verifies for another.
/// </summary>
public sealed class TokenService(SecretKeys keys, TimeProvider clock) : ITokenService
{
    private sealed record Envelope<T>(T P, long Exp);

    public string Issue<T>(string purpose, T payload, DateTimeOffset expiresAt)
    {
        var body = B64(JsonSerializer.SerializeToUtf8Bytes(new Envelope<T>(payload, expiresAt.ToUnixTimeSeconds())));
        return body + "." + B64(Sign(purpose, body));
    }

    public T? Read<T>(string purpose, string token)
        where T : class
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1 || token.Length > 4096)
        {
            return null;
        }

        var body = token[..dot];
        byte[] signature;
        byte[] json;
        try
        {
            signature = FromBase64Url(token[(dot + 1)..]);
            json = FromBase64Url(body);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(purpose, body)))
        {
            return null;
        }

        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope<T>>(json);
            return envelope is null || envelope.Exp < clock.GetUtcNow().ToUnixTimeSeconds() ? null : envelope.P;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private byte[] Sign(string purpose, string body) =>
        HMACSHA256.HashData(keys.TokenKey, Encoding.UTF8.GetBytes(purpose + "\n" + body));

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static byte[] FromBase64Url(string s) => Base64Url.DecodeFromChars(s);
}
