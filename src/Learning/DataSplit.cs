using System.Text;

namespace CoConstruisons.Learning;

/// <summary>
/// A fixed, documented split: an item goes to the held-out part when the FNV-1a 64-bit hash of
/// "{salt}:{id}" (UTF-8), modulo 10,000, is below fraction × 10,000. It depends only on the item
/// id, never on file order or a random seed, so every run and every machine agree.
/// </summary>
public static class DataSplit
{
    public const string TestSalt = "coconstruisons-test-v1";
    public const string CalibrationSalt = "coconstruisons-calibration-v1";

    public static bool IsHeldOut(string id, double fraction, string salt = TestSalt)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Bucket(id, salt) < fraction * 10_000;
    }

    public static int Bucket(string id, string salt)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(salt + ":" + id))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return (int)(hash % 10_000);
    }
}
