using CoConstruisons.Infrastructure.EventStore;
using Npgsql;

namespace CoConstruisons.Infrastructure.UnitTests.EventStore;

public sealed class ConnectionTuningTests
{
    [Fact]
    public void A_loopback_database_gets_prepared_statements_kept_across_pool_uses_and_no_tls()
    {
        var tuned = new NpgsqlConnectionStringBuilder(ConnectionTuning.Apply("Host=127.0.0.1;Port=5432;Database=d;Username=u;Password=p"));

        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.Equal(2, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(SslMode.Disable, tuned.SslMode);
        Assert.Equal("d", tuned.Database);
        Assert.Equal("p", tuned.Password);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void Other_spellings_of_the_loopback_host_count_too(string host)
    {
        Assert.Equal(SslMode.Disable, new NpgsqlConnectionStringBuilder(ConnectionTuning.Apply($"Host={host};Database=d")).SslMode);
    }

    [Fact]
    public void A_remote_database_keeps_the_default_tls_and_what_the_operator_wrote_is_kept()
    {
        var remote = new NpgsqlConnectionStringBuilder(ConnectionTuning.Apply("Host=db.example.org;Database=d"));
        Assert.Equal(SslMode.Prefer, remote.SslMode);

        var explicitOnes = new NpgsqlConnectionStringBuilder(ConnectionTuning.Apply(
            "Host=127.0.0.1;Database=d;SSL Mode=Require;Max Auto Prepare=0;No Reset On Close=false"));
        Assert.Equal(SslMode.Require, explicitOnes.SslMode);
        Assert.Equal(0, explicitOnes.MaxAutoPrepare);
        Assert.False(explicitOnes.NoResetOnClose);
    }
}
