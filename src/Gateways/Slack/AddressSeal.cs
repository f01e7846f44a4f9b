using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoConstruisons.Gateways.Slack;

/// <summary>Where a nudge goes: the Slack user ("T…:U…") and their direct-message channel with Cobot.</summary>
public sealed record SlackAddress([property: JsonPropertyName("u")] string SlackUser, [property: JsonPropertyName("c")] string Channel);

/// <summary>
/// Seals a member's Slack address before the platform keeps it with their consent, so that the
/// platform (and its database) never holds a readable Slack id: AES-256-GCM under a key derived
/// (HKDF-SHA256) from the app's signing secret, which every gateway node of the app shares and the
/// platform never sees. Sealed text: base64url(nonce ‖ ciphertext ‖ tag), prefixed "s1.".
/// </summary>
public sealed class AddressSeal
{
    private const string Prefix = "s1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public AddressSeal(SlackGatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _key = settings.KeyFor("slack-address-v1");
    }

    public string Seal(SlackAddress address)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(address);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(_key, TagSize))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }

        return Prefix + Base64Url.EncodeToString([.. nonce, .. cipher, .. tag]);
    }

    /// <summary>The address, or null when the text was not sealed by this app (wrong key, altered, malformed).</summary>
    public SlackAddress? Open(string sealedText)
    {
        if (string.IsNullOrEmpty(sealedText) || !sealedText.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var bytes = Base64Url.DecodeFromChars(sealedText.AsSpan(Prefix.Length));
            if (bytes.Length <= NonceSize + TagSize)
            {
                return null;
            }

            var plain = new byte[bytes.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, plain.Length), bytes.AsSpan(bytes.Length - TagSize), plain);
            return JsonSerializer.Deserialize<SlackAddress>(plain);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or JsonException)
        {
            return null;
        }
    }
}
