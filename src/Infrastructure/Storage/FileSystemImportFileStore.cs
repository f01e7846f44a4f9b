using CoConstruisons.Application.Abstractions;

namespace CoConstruisons.Infrastructure.Storage;

/// <summary>An import's uploaded files in a folder per job under the data folder (<c>imports/JOB/NAME</c>).</summary>
public sealed class FileSystemImportFileStore(string root) : IImportFileStore
{
    public async Task<string> SaveAsync(Guid jobId, string name, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, jobId.ToString("N"))).FullName;
        var path = Path.Combine(folder, SafeName(name));
        var temporary = path + ".part";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public string? PathOf(Guid jobId, string name)
    {
        var path = Path.Combine(root, jobId.ToString("N"), SafeName(name));
        return File.Exists(path) ? path : null;
    }

    public void Delete(Guid jobId)
    {
        var folder = Path.Combine(root, jobId.ToString("N"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Only the last path segment, so a name never leaves the job's folder.</summary>
    private static string SafeName(string name)
    {
        var file = Path.GetFileName(name);
        return string.IsNullOrWhiteSpace(file) || file is "." or ".." ? "file" : file;
    }
}
