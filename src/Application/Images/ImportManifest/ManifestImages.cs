using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;

namespace CoConstruisons.Application.Images.ImportManifest;

/// <summary>Where a manifest's relative paths are looked up: uploaded files, a folder, a .zip.</summary>
public interface IManifestImages
{
    /// <summary>The file at <paramref name="path"/> (normalised, relative, no ".."), null when there is none.</summary>
    Task<FetchedFile?> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Every file path available, to report the ones no row refers to.</summary>
    IEnumerable<string> Paths { get; }
}

/// <summary>No images besides the manifest: every relative path is missing (a manifest of URLs).</summary>
public sealed class NoManifestImages : IManifestImages
{
    public static readonly NoManifestImages Instance = new();

    public IEnumerable<string> Paths => [];

    public Task<FetchedFile?> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken) => Task.FromResult<FetchedFile?>(null);
}

/// <summary>
/// Files sent with the manifest (archives already expanded). A path matches a file with that exact
/// path, or else the only file whose path ends with it or, failing that, the only file with that
/// name (a browser sends names without folders).
/// </summary>
public sealed class UploadedManifestImages : IManifestImages
{
    private readonly Dictionary<string, UploadedFile> _byPath = new(StringComparer.Ordinal);

    public UploadedManifestImages(IEnumerable<UploadedFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
        {
            _byPath.TryAdd(ManifestPaths.Normalise(file.Name), file);
        }
    }

    public IEnumerable<string> Paths => _byPath.Keys;

    public Task<FetchedFile?> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (!_byPath.TryGetValue(path, out var file))
        {
            var name = path.Split('/')[^1];
            var sameName = _byPath.Where(p => p.Key.Split('/')[^1] == name).ToList();
            var suffix = sameName.Where(p => p.Key.EndsWith("/" + path, StringComparison.Ordinal)).ToList();
            var candidates = suffix.Count > 0 ? suffix : sameName;
            if (candidates.Count > 1)
            {
                return Task.FromResult<FetchedFile?>(FetchedFile.Failed(Texts.T(
                    $"plusieurs fichiers envoyés correspondent à « {path} »",
                    $"several uploaded files match '{path}'")));
            }

            if (candidates.Count == 0)
            {
                return Task.FromResult<FetchedFile?>(null);
            }

            file = candidates[0].Value;
        }

        return Task.FromResult<FetchedFile?>(file.Error is not null ? FetchedFile.Failed(file.Error) : new FetchedFile(file.Bytes, null));
    }
}

/// <summary>Paths as written in manifests.</summary>
public static class ManifestPaths
{
    /// <summary>Forward slashes, no leading "./".</summary>
    public static string Normalise(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var p = path.Trim().Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal))
        {
            p = p[2..];
        }

        return p;
    }

    /// <summary>True for paths that leave their folder: absolute, drive letters, "..".</summary>
    public static bool IsUnsafe(string normalised) =>
        normalised.StartsWith('/') || (normalised.Length > 1 && normalised[1] == ':')
        || normalised.Split('/').Any(part => part == "..");
}
