using System.Net;
using System.Net.Sockets;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Infrastructure.Downloads;

/// <summary>Bounds on downloads made for imports (configuration section "Downloads").</summary>
public sealed class DownloadOptions
{
    /// <summary>Whole download (connection, headers and body) in at most this many seconds.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Whether loopback, private and link-local addresses may be fetched. Off on a server (an
    /// owner's URL must not reach the platform's own network); the command line turns it on.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Redirects followed (each one checked like the first address).</summary>
    public int MaxRedirects { get; set; } = 3;
}

/// <summary>
/// <see cref="IRemoteFileFetcher"/> over one shared <see cref="HttpClient"/>: the body is read in
/// chunks and abandoned as soon as it goes over the limit (a lying or absent Content-Length
/// changes nothing), the whole exchange has a deadline, and the address actually connected to is
/// checked (so a name that resolves to a private address is refused too).
/// </summary>
public sealed class HttpRemoteFileFetcher : IRemoteFileFetcher, IDisposable
{
    private readonly HttpClient _client;
    private readonly DownloadOptions _options;

    public HttpRemoteFileFetcher(DownloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = Math.Max(1, options.MaxRedirects),
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("coconstruisons-import/1.0");
    }

    public async Task<FetchedFile> FetchAsync(Uri uri, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return FetchedFile.Failed(Texts.T("seules les adresses http(s) sont téléchargées", "only http(s) addresses are downloaded"));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await _client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return FetchedFile.Failed(Texts.T(
                    $"téléchargement refusé : HTTP {(int)response.StatusCode} {response.ReasonPhrase}",
                    $"download failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
            }

            if (response.Content.Headers.ContentLength is long declared && declared > maxBytes)
            {
                return TooLarge(maxBytes);
            }

            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, deadline.Token)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }

            return new FetchedFile(buffer.ToArray(), null, response.Content.Headers.ContentType?.MediaType);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchedFile.Failed(Texts.T(
                $"téléchargement trop long (plus de {_options.TimeoutSeconds:0.#} s)",
                $"download took too long (over {_options.TimeoutSeconds:0.#} s)"));
        }
        catch (HttpRequestException ex)
        {
            return FetchedFile.Failed(Texts.T($"téléchargement impossible : {Reason(ex)}", $"download failed: {Reason(ex)}"));
        }
    }

    public async Task<string?> RefusalAsync(Uri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (_options.AllowPrivateAddresses)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.DnsSafeHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (SocketException)
        {
            return null;
        }

        return addresses.Length > 0 && addresses.All(IsPrivate) ? PrivateRefusal(uri.Host) : null;
    }

    private static string PrivateRefusal(string host) => Texts.T(
        $"adresse privée ou locale refusée ({host})",
        $"private or local address refused ({host})");

    private static string Reason(HttpRequestException ex) =>
        ex.InnerException is PrivateAddressException p ? p.Message : ex.InnerException?.Message ?? ex.Message;

    private static FetchedFile TooLarge(long maxBytes) => FetchedFile.Failed(Texts.T(
        $"fichier téléchargé trop gros (plus de {maxBytes / 1024.0 / 1024.0:0.#} Mo)",
        $"downloaded file too large (over {maxBytes / 1024.0 / 1024.0:0.#} MB)"));

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        if (!_options.AllowPrivateAddresses)
        {
            addresses = [.. addresses.Where(a => !IsPrivate(a))];
            if (addresses.Length == 0)
            {
                throw new PrivateAddressException(PrivateRefusal(context.DnsEndPoint.Host));
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Loopback, RFC 1918, link-local, carrier-grade NAT, unique-local IPv6, unspecified.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
    }

    public void Dispose() => _client.Dispose();

    private sealed class PrivateAddressException(string message) : IOException(message);
}
