using System.Security.Cryptography;
using System.Text.Json;

namespace CoConstruisons.Infrastructure.Security;

/// <summary>
/// The two secrets the platform keys its hashes and tokens with. From configuration
/// (Security:TokenKey, Security:PseudonymKey, base64, at least 32 bytes) in production; in
/// development they are generated once and kept in the data folder so restarts keep sessions
/// and pseudonyms stable.
/// </summary>
public sealed class SecretKeys(byte[] tokenKey, byte[] pseudonymKey)
{
    public byte[] TokenKey { get; } = tokenKey;
    public byte[] PseudonymKey { get; } = pseudonymKey;

    public static SecretKeys Load(string? tokenKey, string? pseudonymKey, string? developmentFolder)
    {
        if (!string.IsNullOrEmpty(tokenKey) && !string.IsNullOrEmpty(pseudonymKey))
        {
            return new SecretKeys(Decode(tokenKey, "Security:TokenKey"), Decode(pseudonymKey, "Security:PseudonymKey"));
        }

        if (developmentFolder is null)
        {
            throw new InvalidOperationException(
                "Missing setting: Security:TokenKey and Security:PseudonymKey (base64, 32 bytes or more each; " +
                "environment variables Security__TokenKey and Security__PseudonymKey). They sign tokens and hash contributor identities.");
        }

        Directory.CreateDirectory(developmentFolder);
        var path = Path.Combine(developmentFolder, "secrets.json");
        if (File.Exists(path))
        {
            var stored = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path))
                ?? throw new InvalidOperationException($"{path} is not a valid secrets file.");
            return new SecretKeys(Convert.FromBase64String(stored["TokenKey"]), Convert.FromBase64String(stored["PseudonymKey"]));
        }

        var keys = new SecretKeys(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["TokenKey"] = Convert.ToBase64String(keys.TokenKey),
            ["PseudonymKey"] = Convert.ToBase64String(keys.PseudonymKey),
        }));
        File.Move(tmp, path, overwrite: false);
        return keys;
    }

    private static byte[] Decode(string value, string name)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Setting {name} is not valid base64.");
        }

        return bytes.Length >= 32 ? bytes : throw new InvalidOperationException($"Setting {name} must hold at least 32 bytes.");
    }
}
