namespace CoConstruisons.Application.Abstractions;

/// <summary>Where image bytes live (local disk by default, object storage at scale). Content-addressed by SHA-256.</summary>
public interface IImageStore
{
    Task SaveAsync(string contentHash, ReadOnlyMemory<byte> original, ReadOnlyMemory<byte> thumbnail, CancellationToken cancellationToken);

    /// <summary>Opens the stored original, or null when it is missing.</summary>
    Stream? OpenOriginal(string contentHash);

    /// <summary>Opens the stored thumbnail (JPEG), or null when it is missing.</summary>
    Stream? OpenThumbnail(string contentHash);
}
