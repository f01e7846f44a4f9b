using System.Net;
using Npgsql;

namespace CoConstruisons.Infrastructure.EventStore;

/// <summary>
/// The platform's defaults for the PostgreSQL connection, applied only where the connection string
/// does not say otherwise (measured with <c>bench serve</c>, docs/assignment.md "Measuring"):
/// <list type="bullet">
/// <item>statements prepared automatically once used twice (<c>Max Auto Prepare=64</c>,
/// <c>Auto Prepare Min Usages=2</c>): the hot path repeats the same few statements, and parsing and
/// planning each again was about half of PostgreSQL's work per answer;</item>
/// <item>no <c>DISCARD ALL</c> when a pooled connection is returned (<c>No Reset On Close</c>), which
/// would also drop the prepared statements — nothing here sets session state that could leak;</item>
/// <item>no TLS to a database on the loopback interface (<c>SSL Mode=Disable</c>), where it protects
/// nothing and cost a tenth of the Api's processor time; any other host keeps Npgsql's default
/// (and production should say <c>SSL Mode=VerifyFull</c>).</item>
/// </list>
/// </summary>
public static class ConnectionTuning
{
    public static string Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // What the operator wrote (Npgsql's builder cannot tell a default from a written value).
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Mentions(params string[] keys) => keys.Any(written.ContainsKey);
        if (!Mentions("Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            if (!Mentions("Auto Prepare Min Usages", "AutoPrepareMinUsages"))
            {
                builder.AutoPrepareMinUsages = 2;
            }
        }

        if (!Mentions("No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Mentions("SSL Mode", "SslMode") && IsLoopback(builder.Host))
        {
            builder.SslMode = SslMode.Disable;
        }

        return builder.ConnectionString;
    }

    private static bool IsLoopback(string? host) =>
        !string.IsNullOrEmpty(host)
        && host.Split(',').All(h => h.Trim() is var one
            && (string.Equals(one, "localhost", StringComparison.OrdinalIgnoreCase)
                || ((IPAddress.TryParse(one, out var ip) || IPAddress.TryParse(one.Split(':')[0], out ip)) && IPAddress.IsLoopback(ip))));
}
