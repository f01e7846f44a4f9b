using System.Collections.Concurrent;
using CoConstruisons.Application.Common.Exceptions;

namespace CoConstruisons.Application.Common;

/// <summary>Rate limits (configuration section "RateLimits"), per contributor and per caller.</summary>
public sealed class RateLimitOptions
{
    public double ContributorPerSecond { get; set; } = 10;
    public int ContributorBurst { get; set; } = 60;
    public double CallerPerSecond { get; set; } = 5000;
    public int CallerBurst { get; set; } = 10000;
}

/// <summary>
/// Token buckets kept in memory on each node (a limit per node, not a global one): enough to stop a
/// runaway client or a script hammering one identity. Refusals carry how long to wait.
/// </summary>
public sealed class RateLimiter(TimeProvider clock)
{
    private sealed class Bucket
    {
        public double Tokens;
        public long Stamp;
    }

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public void Take(string key, double perSecond, int burst)
    {
        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(key, _ => new Bucket { Tokens = burst, Stamp = now });
        double wait;
        lock (bucket)
        {
            var elapsed = clock.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * perSecond));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return;
            }

            wait = (1 - bucket.Tokens) / perSecond;
        }

        var retry = TimeSpan.FromSeconds(Math.Max(0.1, wait));
        throw new RateLimitedException(
            Texts.T($"Trop de requêtes : réessayez dans {retry.TotalSeconds:0.#} s.", $"Too many requests: retry in {retry.TotalSeconds:0.#} s."),
            retry);
    }
}
