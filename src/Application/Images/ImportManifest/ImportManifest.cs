using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Projects;
using FluentValidation;
using FluentValidation.Results;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.ImportManifest;

/// <summary>
/// Adds one item per row of a CSV manifest: the image column holds a path (relative to the
/// manifest, looked up in <see cref="Images"/>) or an http(s) URL (downloaded, bounded); every
/// column becomes the item's metadata. <see cref="ImageColumn"/> null: the first of
/// <see cref="ImportManifestHandler.ImageColumnNames"/> found in the header.
/// </summary>
public sealed record ImportManifest(
    Guid OwnerId,
    Guid ProjectId,
    string ManifestName,
    byte[] Manifest,
    IManifestImages Images,
    string? ImageColumn = null,
    IProgress<int>? Progress = null) : ICommand<ImportManifestReport>;

/// <summary>A manifest row that could not be read (wrong number of fields, not UTF-8, unterminated quote, empty image cell…).</summary>
public sealed record ManifestProblem(int Line, string Reason);

/// <summary>
/// What became of every row: <c>Rows = Added + Duplicates + Rejected + BadRows</c>. Rejected rows
/// were readable but their image was not (missing file, failed download, not an image, too large).
/// </summary>
public sealed record ImportManifestReport(
    string ImageColumn,
    int Rows,
    IReadOnlyList<AddedImage> Added,
    IReadOnlyList<SkippedFile> Duplicates,
    IReadOnlyList<SkippedFile> Rejected,
    IReadOnlyList<ManifestProblem> BadRows,
    int Downloaded,
    IReadOnlyList<string> Unreferenced);

public sealed class ImportManifestValidator : AbstractValidator<ImportManifest>
{
    public ImportManifestValidator()
    {
        RuleFor(c => c.Manifest).NotEmpty()
            .WithMessage(_ => Texts.T("Le manifeste CSV est vide.", "The CSV manifest is empty."));
        RuleFor(c => c.ManifestName).NotEmpty()
            .WithMessage(_ => Texts.T("Le manifeste doit avoir un nom.", "The manifest needs a name."));
        RuleFor(c => c.Images).NotNull();
    }
}

public sealed class ImportManifestHandler(
    IDocumentSession session,
    IImageInspector inspector,
    IImageStore store,
    IRemoteFileFetcher fetcher,
    IOptions<UploadLimits> options,
    TimeProvider clock) : ICommandHandler<ImportManifest, ImportManifestReport>
{
    /// <summary>Header names taken as the image column when none is given (case-insensitive, in this order).</summary>
    public static readonly string[] ImageColumnNames = ["image", "image_url", "image_path", "url", "path", "file", "file_name", "filename", "fichier", "chemin"];

    private const int BatchSize = 100;

    public async ValueTask<ImportManifestReport> Handle(ImportManifest command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var limits = options.Value;
        var (table, column) = Check(command.ManifestName, command.Manifest, command.ImageColumn, limits.MaxManifestRows);
        var added = new List<AddedImage>();
        var duplicates = new List<SkippedFile>();
        var rejected = new List<SkippedFile>();
        var bad = new List<ManifestProblem>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var downloaded = 0;
        var done = 0;
        foreach (var batch in table.Rows.Chunk(BatchSize))
        {
            var files = new UploadedFile?[batch.Length];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, batch.Length),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, limits.ParallelDownloads), CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var row = batch[i];
                    if (row.Error is not null)
                    {
                        return;
                    }

                    var reference = row.Fields[column].Trim();
                    var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
                    for (var c = 0; c < table.Header.Count; c++)
                    {
                        if (table.Header[c].Length > 0)
                        {
                            metadata[table.Header[c]] = row.Fields[c];
                        }
                    }

                    files[i] = await ReadAsync(row.Line, reference, metadata, command.Images, limits, ct);
                });

            var ready = new List<UploadedFile>();
            for (var i = 0; i < batch.Length; i++)
            {
                var row = batch[i];
                var file = files[i];
                if (row.Error is not null)
                {
                    bad.Add(new ManifestProblem(row.Line, row.Error));
                }
                else if (file is null)
                {
                    bad.Add(new ManifestProblem(row.Line, Texts.T($"cellule « {table.Header[column]} » vide", $"empty '{table.Header[column]}' cell")));
                }
                else
                {
                    if (file.Metadata is not null && IsUrl(file.Metadata[table.Header[column]].Trim(), out _) && file.Error is null)
                    {
                        downloaded++;
                    }
                    else if (file.Error is null)
                    {
                        used.Add(ManifestPaths.Normalise(file.Metadata![table.Header[column]]));
                    }

                    ready.Add(file);
                }
            }

            var report = await ImageIntake.AddAsync(session, inspector, store, limits, clock.GetUtcNow(), project.Id, command.OwnerId, ready, cancellationToken);
            added.AddRange(report.Added);
            duplicates.AddRange(report.Duplicates);
            rejected.AddRange(report.Rejected);
            done += batch.Length;
            command.Progress?.Report(done);
        }

        var unreferenced = command.Images.Paths.Where(p => !used.Contains(p) && !used.Any(u => p.EndsWith("/" + u, StringComparison.Ordinal))).Take(1000).ToList();
        return new ImportManifestReport(table.Header[column], table.Rows.Count, added, duplicates, rejected, bad, downloaded, unreferenced);
    }

    /// <summary>
    /// Everything that refuses a whole manifest, without touching the project: it must parse, have the
    /// image column, at least one data row and at most <paramref name="maxRows"/>. Throws
    /// <see cref="ValidationException"/> (the owner's message); callers that create the project run it
    /// first, so a refused manifest leaves nothing behind.
    /// </summary>
    public static (ManifestTable Table, int ImageColumn) Check(string manifestName, byte[] manifest, string? imageColumn, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ManifestTable table;
        try
        {
            table = ManifestCsv.Parse(manifest);
        }
        catch (FormatException ex)
        {
            throw Refuse(manifestName, ex.Message.TrimEnd('.'));
        }

        var column = FindImageColumn(table.Header, imageColumn)
            ?? throw Refuse(manifestName, imageColumn is null
                ? Texts.T(
                    $"aucune colonne d'image (attendu l'une de : {string.Join(", ", ImageColumnNames)} ; colonnes : {string.Join(", ", table.Header)})",
                    $"no image column (expected one of: {string.Join(", ", ImageColumnNames)}; columns: {string.Join(", ", table.Header)})")
                : Texts.T(
                    $"colonne « {imageColumn} » absente (colonnes : {string.Join(", ", table.Header)})",
                    $"column '{imageColumn}' not found (columns: {string.Join(", ", table.Header)})"));
        if (table.Rows.Count == 0)
        {
            throw Refuse(manifestName, Texts.T(
                "aucune ligne après l'en-tête (une ligne par image attendue)",
                "no row after the header (one row per image expected)"));
        }

        if (table.Rows.Count > maxRows)
        {
            throw Refuse(manifestName, Texts.T(
                $"{table.Rows.Count} lignes, au plus {maxRows} par envoi",
                $"{table.Rows.Count} rows, at most {maxRows} per upload"));
        }

        return (table, column);
    }

    private async Task<UploadedFile?> ReadAsync(int line, string reference, Dictionary<string, string> metadata, IManifestImages images, UploadLimits limits, CancellationToken ct)
    {
        if (reference.Length == 0)
        {
            return null;
        }

        var label = Texts.T($"ligne {line} : {reference}", $"line {line}: {reference}");
        if (IsUrl(reference, out var uri))
        {
            var name = Uri.UnescapeDataString(uri!.Segments[^1]).Trim('/');
            name = name.Length == 0 ? $"line-{line}" : name;
            var fetched = await fetcher.FetchAsync(uri, limits.MaxImageBytes, ct);
            return new UploadedFile(name, fetched.Bytes ?? [], fetched.Error, metadata, label);
        }

        if (reference.Contains("://", StringComparison.Ordinal))
        {
            return new UploadedFile(reference, [], Texts.T("seules les adresses http(s) sont téléchargées", "only http(s) addresses are downloaded"), metadata, label);
        }

        var path = ManifestPaths.Normalise(reference);
        if (ManifestPaths.IsUnsafe(path))
        {
            return new UploadedFile(path, [], Texts.T("chemin interdit (absolu ou avec « .. »)", "forbidden path (absolute or with '..')"), metadata, label);
        }

        var file = await images.ReadAsync(path, limits.MaxImageBytes, ct);
        return file is null
            ? new UploadedFile(path, [], Texts.T("fichier introuvable", "file not found"), metadata, label)
            : new UploadedFile(path, file.Bytes ?? [], file.Error, metadata, label);
    }

    private static bool IsUrl(string reference, out Uri? uri) =>
        Uri.TryCreate(reference, UriKind.Absolute, out uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static int? FindImageColumn(IReadOnlyList<string> header, string? wanted)
    {
        var names = wanted is null ? ImageColumnNames : [wanted];
        foreach (var name in names)
        {
            for (var c = 0; c < header.Count; c++)
            {
                if (string.Equals(header[c], name, StringComparison.OrdinalIgnoreCase))
                {
                    return c;
                }
            }
        }

        return null;
    }

    private static ValidationException Refuse(string manifest, string reason) =>
        new([new ValidationFailure("manifest", Texts.T($"Manifeste « {manifest} » refusé : {reason}.", $"Manifest '{manifest}' refused: {reason}."))]);
}
