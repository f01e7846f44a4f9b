using CoConstruisons.Application.Abstractions;

namespace CoConstruisons.Infrastructure.Storage;

/// <summary>Images on the local disk, content-addressed: {root}/ab/abcdef….bin and ….thumb.jpg. Writes are atomic (temp file, then rename).</summary>
public sealed class FileSystemImageStore(string root) : IImageStore
{
    public async Task SaveAsync(string contentHash, ReadOnlyMemory<byte> original, ReadOnlyMemory<byte> thumbnail, CancellationToken cancellationToken)
    {
        var folder = Folder(contentHash);
        Directory.CreateDirectory(folder);
        await WriteAtomic(Path.Combine(folder, contentHash + ".bin"), original, cancellationToken);
        await WriteAtomic(Path.Combine(folder, contentHash + ".thumb.jpg"), thumbnail, cancellationToken);
    }

    public Stream? OpenOriginal(string contentHash) => Open(Path.Combine(Folder(contentHash), contentHash + ".bin"));

    public Stream? OpenThumbnail(string contentHash) => Open(Path.Combine(Folder(contentHash), contentHash + ".thumb.jpg"));

    private string Folder(string hash) =>
        hash.Length >= 2 && hash.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(root, hash[..2])
            : throw new ArgumentException("Not a content hash.", nameof(hash));

    private static Stream? Open(string path) => File.Exists(path) ? File.OpenRead(path) : null;

    private static async Task WriteAtomic(string path, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            return;
        }

        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(tmp, bytes, ct);
        File.Move(tmp, path, overwrite: true);
    }
}
