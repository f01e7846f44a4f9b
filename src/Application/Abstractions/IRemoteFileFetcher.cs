namespace CoConstruisons.Application.Abstractions;

/// <summary>A downloaded file, or why it could not be downloaded (a message for the owner, French first).</summary>
public sealed record FetchedFile(byte[]? Bytes, string? Error, string? MediaType = null)
{
    public static FetchedFile Failed(string error) => new(null, error);
}

/// <summary>
/// Downloads http(s) files for imports, bounded: at most <c>maxBytes</c> (the download stops as
/// soon as it goes over), within the configured time, and never from the platform's own private
/// network unless configured. Never throws for a remote failure: it returns the reason.
/// </summary>
public interface IRemoteFileFetcher
{
    Task<FetchedFile> FetchAsync(Uri uri, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Why downloads from this address's host would be refused before any is tried (a private or
    /// local address on a server), or null. A name that cannot be resolved now is not refused here:
    /// each download then reports its own failure.
    /// </summary>
    Task<string?> RefusalAsync(Uri uri, CancellationToken cancellationToken);
}
