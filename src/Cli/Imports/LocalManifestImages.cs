using System.IO.Compression;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Images.ImportManifest;

namespace CoConstruisons.Cli.Imports;

/// <summary>A manifest's images in a folder on disk: paths are relative to it and may not leave it.</summary>
public sealed class DirectoryManifestImages(string folder) : IManifestImages
{
    private readonly string _root = Path.GetFullPath(folder);

    public IEnumerable<string> Paths =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_root, f).Replace('\\', '/'))
            .Where(p => !p.EndsWith(".csv", StringComparison.OrdinalIgnoreCase));

    public async Task<FetchedFile?> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            return null;
        }

        var length = new FileInfo(full).Length;
        if (length > maxBytes)
        {
            return FetchedFile.Failed(Texts.T($"fichier trop gros (plus de {maxBytes / (1024 * 1024)} Mo)", $"file too large (over {maxBytes / (1024 * 1024)} MB)"));
        }

        return new FetchedFile(await File.ReadAllBytesAsync(full, cancellationToken), null);
    }
}

/// <summary>A manifest's images in a .zip file, read entry by entry (bounded), never expanded on disk.</summary>
public sealed class ZipManifestImages : IManifestImages, IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ZipManifestImages(string zipPath)
    {
        try
        {
            _zip = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException ex)
        {
            // The sentence in the terminal's language; .NET's own reason (in English) after it.
            throw new CliException(Texts.T(
                $"« {zipPath} » : {ArchiveExpander.UnreadableZip} ({ex.Message.TrimEnd('.')}).",
                $"'{zipPath}': {ArchiveExpander.UnreadableZip} ({ex.Message.TrimEnd('.')})."));
        }

        foreach (var entry in _zip.Entries)
        {
            if (!entry.FullName.EndsWith('/'))
            {
                _entries.TryAdd(ManifestPaths.Normalise(entry.FullName), entry);
            }
        }
    }

    public IEnumerable<string> Paths => _entries.Keys.Where(p => !p.EndsWith(".csv", StringComparison.OrdinalIgnoreCase));

    public Task<FetchedFile?> ReadAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(path, out var entry))
        {
            // A zip often holds one top folder: "photos/a.jpg" for a manifest saying "a.jpg".
            var matches = _entries.Where(e => e.Key.EndsWith("/" + path, StringComparison.Ordinal)).ToList();
            if (matches.Count != 1)
            {
                return Task.FromResult<FetchedFile?>(null);
            }

            entry = matches[0].Value;
        }

        lock (_gate)
        {
            try
            {
                using var input = entry.Open();
                using var output = new MemoryStream();
                var buffer = new byte[81920];
                int read;
                while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
                {
                    output.Write(buffer, 0, read);
                    if (output.Length > maxBytes)
                    {
                        return Task.FromResult<FetchedFile?>(FetchedFile.Failed(
                            Texts.T($"fichier trop gros (plus de {maxBytes / (1024 * 1024)} Mo)", $"file too large (over {maxBytes / (1024 * 1024)} MB)")));
                    }
                }

                return Task.FromResult<FetchedFile?>(new FetchedFile(output.ToArray(), null));
            }
            catch (InvalidDataException)
            {
                return Task.FromResult<FetchedFile?>(FetchedFile.Failed(Texts.T("entrée corrompue dans l'archive", "corrupt archive entry")));
            }
        }
    }

    public void Dispose() => _zip.Dispose();
}
