using System.Net;
using System.Net.Sockets;

namespace CoConstruisons.Tests.Shared;

/// <summary>
/// A free loopback port for a server a test starts. Not one the system hands out for outgoing
/// connections: a port taken from that range (port 0) and released before the server binds it can be
/// given meanwhile to any client socket — another test assembly's PostgreSQL connection, say — and
/// the server then fails with "address already in use" (seen in CI). So the port is drawn at random
/// below the system's ephemeral range (Linux: <c>ip_local_port_range</c>) and checked free by binding it.
/// </summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        var below = EphemeralRangeStart();
        if (below > 2048)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var port = Random.Shared.Next(Math.Max(1025, below / 2), below);
                try
                {
                    using var probe = new TcpListener(IPAddress.Loopback, port);
                    probe.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // In use: draw another.
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first port the system gives to outgoing connections (0 when unknown).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return range.Length == 2 && int.TryParse(range[0], System.Globalization.CultureInfo.InvariantCulture, out var start) ? start : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
