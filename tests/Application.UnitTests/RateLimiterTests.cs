using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using Microsoft.Extensions.Time.Testing;

namespace CoConstruisons.Application.UnitTests;

public class RateLimiterTests
{
    [Fact]
    public void A_burst_is_allowed_then_refused_with_the_time_to_wait_and_allowed_again_once_refilled()
    {
        var clock = new FakeTimeProvider();
        var limiter = new RateLimiter(clock);
        for (var i = 0; i < 5; i++)
        {
            limiter.Take("c_1", perSecond: 2, burst: 5);
        }

        var refused = Assert.Throws<RateLimitedException>(() => limiter.Take("c_1", perSecond: 2, burst: 5));
        Assert.Equal(TimeSpan.FromSeconds(0.5), refused.RetryAfter);

        clock.Advance(TimeSpan.FromSeconds(0.5));
        limiter.Take("c_1", perSecond: 2, burst: 5);
    }

    [Fact]
    public void Each_key_has_its_own_bucket()
    {
        var limiter = new RateLimiter(new FakeTimeProvider());
        limiter.Take("c_1", perSecond: 1, burst: 1);

        limiter.Take("c_2", perSecond: 1, burst: 1);
        Assert.Throws<RateLimitedException>(() => limiter.Take("c_1", perSecond: 1, burst: 1));
    }
}
