using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Application.Abstractions;

namespace CoConstruisons.Infrastructure.Security;

/// <summary>Contributor id = "c_" + HMAC-SHA256(pseudonym key, channel "\n" user id), truncated to 128 bits.</summary>
public sealed class Pseudonymizer(SecretKeys keys) : IPseudonymizer
{
    public string ContributorId(string channel, string channelUserId)
    {
        var mac = HMACSHA256.HashData(keys.PseudonymKey, Encoding.UTF8.GetBytes(channel + "\n" + channelUserId));
        return "c_" + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }
}

/// <summary>PBKDF2-SHA256 with a random salt: "pbkdf2-sha256$iterations$salt$hash".</summary>
public sealed class Pbkdf2PasswordHasher : IPasswordHasher
{
    private const int Iterations = 100_000;

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public bool Verify(string password, string hash)
    {
        var parts = hash.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out var iterations))
        {
            return false;
        }

        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
