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
        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            if (!Mentions(connectionString, "Auto Prepare Min Usages", "AutoPrepareMinUsages"))
            {
                builder.AutoPrepareMinUsages = 2;
            }
        }

        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Mentions(connectionString, "SSL Mode", "SslMode") && IsLoopback(builder.Host))
        {
            builder.SslMode = SslMode.Disable;
        }

        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        connectionString.Split(';').Select(part => part.Split('=', 2)[0].Trim())
            .Any(key => keys.Any(k => string.Equals(key, k, StringComparison.OrdinalIgnoreCase)));

    private static bool IsLoopback(string? host) =>
        !string.IsNullOrEmpty(host)
        && host.Split(',').All(h => h.Trim() is var one
            && (string.Equals(one, "localhost", StringComparison.OrdinalIgnoreCase)
                || ((IPAddress.TryParse(one, out var ip) || IPAddress.TryParse(one.Split(':')[0], out ip)) && IPAddress.IsLoopback(ip))));
}
