using System.IO.Compression;
using CoConstruisons.Application.Common;
using FluentValidation;
using FluentValidation.Results;

namespace CoConstruisons.Application.Images.AddImages;

/// <summary>
/// Turns an uploaded .zip into files, refusing the whole archive when it is unsafe: entries with
/// ".." or absolute paths, nested archives, no file at all, or more bytes than the limits allow
/// (decompression bombs). Sizes are counted while reading, never trusted from the archive's header.
/// </summary>
public static class ArchiveExpander
{
    private static readonly string[] ArchiveExtensions = [".zip", ".tar", ".gz", ".tgz", ".7z", ".rar", ".bz2", ".xz"];

    /// <summary>Why a .zip whose directory cannot be read is refused (uploads, and the command line's local archives).</summary>
    public static string UnreadableZip => Texts.T("archive ZIP illisible ou tronquée", "unreadable or truncated ZIP archive");

    public static bool IsZip(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && (bytes[2] == 3 || bytes[2] == 5) && (bytes[3] == 4 || bytes[3] == 6);

    public static IReadOnlyList<UploadedFile> Expand(string archiveName, byte[] archive, UploadLimits limits, ref long budget)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(archive, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            throw Refuse(archiveName, UnreadableZip);
        }

        using (zip)
        {
            var files = new List<UploadedFile>();
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                if (IsUnsafePath(name))
                {
                    throw Refuse(archiveName, Texts.T($"chemin interdit « {name} »", $"forbidden path '{name}'"));
                }

                if (name.EndsWith('/') || name.EndsWith('\\'))
                {
                    continue;
                }

                var fileName = Path.GetFileName(name);
                if (name.StartsWith("__MACOSX/", StringComparison.Ordinal) || fileName.StartsWith('.'))
                {
                    continue;
                }

                if (ArchiveExtensions.Contains(Path.GetExtension(fileName).ToLowerInvariant()))
                {
                    throw Refuse(archiveName, Texts.T($"archive imbriquée « {name} » refusée", $"nested archive '{name}' refused"));
                }

                if (files.Count >= limits.MaxFiles)
                {
                    throw Refuse(archiveName, Texts.T($"plus de {limits.MaxFiles} fichiers", $"more than {limits.MaxFiles} files"));
                }

                if (entry.CompressedLength > 0 && entry.Length / Math.Max(1, entry.CompressedLength) > limits.MaxCompressionRatio)
                {
                    throw Refuse(archiveName, Texts.T($"taux de compression suspect pour « {name} » (bombe de décompression ?)", $"suspicious compression ratio for '{name}' (decompression bomb?)"));
                }

                var bytes = ReadBounded(entry, Math.Min(limits.MaxImageBytes, budget) + 1, archiveName);
                if (bytes.Length > limits.MaxImageBytes)
                {
                    files.Add(new UploadedFile(name, [], Texts.T(
                        $"fichier trop gros (plus de {limits.MaxImageBytes / (1024 * 1024)} Mo)",
                        $"file too large (over {limits.MaxImageBytes / (1024 * 1024)} MB)")));
                    continue;
                }

                budget -= bytes.Length;
                if (budget < 0)
                {
                    throw Refuse(archiveName, Texts.T("contenu décompressé trop volumineux", "expanded content too large"));
                }

                if (IsZip(bytes))
                {
                    throw Refuse(archiveName, Texts.T($"archive imbriquée « {name} » refusée", $"nested archive '{name}' refused"));
                }

                files.Add(new UploadedFile(name, bytes, null));
            }

            if (files.Count == 0)
            {
                throw Refuse(archiveName, Texts.T("l'archive ne contient aucun fichier", "the archive holds no file"));
            }

            return files;
        }
    }

    private static bool IsUnsafePath(string name) =>
        name.StartsWith('/') || name.StartsWith('\\') || (name.Length > 1 && name[1] == ':')
        || name.Split('/', '\\').Any(part => part == "..");

    private static byte[] ReadBounded(ZipArchiveEntry entry, long max, string archiveName)
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
                if (output.Length >= max)
                {
                    break;
                }
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            throw Refuse(archiveName, Texts.T($"entrée corrompue « {entry.FullName} »", $"corrupt entry '{entry.FullName}'"));
        }
    }

    private static ValidationException Refuse(string archiveName, string reason) =>
        new([new ValidationFailure("files", Texts.T($"Archive « {archiveName} » refusée : {reason}.", $"Archive '{archiveName}' refused: {reason}."))]);
}
