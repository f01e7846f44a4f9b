using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Images.ImportManifest;
using CoConstruisons.Cli.Imports;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// Imports a CSV manifest (one image per row: a path or an http(s) URL, the other columns as
/// metadata) through the application's <see cref="ImportManifest"/> use case, the one the
/// portal's upload reaches too. Prints a JSON report; a rerun adds nothing already present.
/// </summary>
public sealed class ImportManifestCommand : ICliCommand
{
    public string Name => "import-manifest";

    public string Usage =>
        $"import-manifest --manifest CSV [--images DIR_OR_ZIP] [--image-column NAME] {ImportTarget.Options} [--connection CS] [--schema S] [--storage DIR]";

    public string Summary => Texts.T(
        "Ajoute un élément par ligne d'un manifeste CSV (chemin de fichier relatif au CSV ou à --images, ou adresse http(s) ; les autres colonnes deviennent des métadonnées) ; les lignes invalides et les images en échec sont comptées et détaillées en JSON (code de sortie 3 s'il y en a).",
        "Adds one item per row of a CSV manifest (file path relative to the CSV or to --images, or http(s) URL; other columns become metadata); bad rows and failed images are counted and reported as JSON (exit code 3 when any).");

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var manifest = args.RequiredOption("manifest");
        var images = args.Option("images");
        var column = args.Option("image-column");
        var target = ImportTarget.Read(args, "import@import.local");
        var settings = PlatformServices.Settings(args.Option("connection"), args.Option("schema"), args.Option("storage"));
        args.EnsureAllRead();
        var report = await Import(settings, target, manifest, images, column, cancellationToken);
        Console.WriteLine(ToJson(report.Project, report.Created, report.Report).ToJsonString(Json));
        return ImportOutcome.Finish(report.Report.Rows, report.Report.Rejected.Count, report.Report.BadRows.Count, ("ligne", "row"), "rejected", "bad_rows");
    }

    /// <summary>The message when --images names neither a folder nor a file (import-manifest and import-opensolarmap).</summary>
    internal static string ImagesNotFound(string imagesPath) => Texts.T(
        $"Images introuvables : « {Path.GetFullPath(imagesPath)} » (un dossier ou un .zip).",
        $"Images not found: '{Path.GetFullPath(imagesPath)}' (a folder or a .zip).");

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The whole import with configuration as key/values (the tests call this).</summary>
    public static async Task<(Guid Project, bool Created, ImportManifestReport Report)> Import(
        IReadOnlyDictionary<string, string?> settings,
        ImportTarget target,
        string manifestPath,
        string? imagesPath,
        string? imageColumn,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!File.Exists(manifestPath))
        {
            throw new CliException(Texts.T($"Manifeste introuvable : « {Path.GetFullPath(manifestPath)} ».", $"Manifest not found: '{Path.GetFullPath(manifestPath)}'."));
        }

        if (imagesPath is not null && !Directory.Exists(imagesPath) && !File.Exists(imagesPath))
        {
            throw new CliException(ImagesNotFound(imagesPath));
        }

        // On the owner's own machine: every row may be a download, local addresses are allowed.
        var all = new Dictionary<string, string?>(settings)
        {
            ["Uploads:MaxManifestRows"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Downloads:AllowPrivateAddresses"] = settings.GetValueOrDefault("Downloads:AllowPrivateAddresses") ?? "true",
        };
        var bytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken);
        IManifestImages? source = null;
        try
        {
            // The manifest is checked as the import will check it (it parses, has its image column and rows)
            // and the images' zip is opened before the owner or the project is created: a refused import changes nothing.
            var rows = ImportManifestHandler.Check(Path.GetFileName(manifestPath), bytes, imageColumn, int.MaxValue).Table.Rows.Count;
            source = LocalImages(imagesPath ?? Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
            await using var provider = await PlatformServices.StartAsync(all);
            var (owner, project, created) = await target.ResolveAsync(provider, cancellationToken);
            using var bar = new ProgressBar("import-manifest", rows);
            var last = 0;
            await using var scope = provider.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
                new ImportManifest(owner, project, Path.GetFileName(manifestPath), bytes, source, imageColumn, new SyncProgress(done =>
                {
                    bar.Advance(done - last);
                    last = done;
                })),
                cancellationToken);
            return (project, created, report);
        }
        catch (FormatException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (FluentValidation.ValidationException ex)
        {
            throw new CliException(string.Join(" ", ex.Errors.Select(e => e.ErrorMessage)));
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    private static IManifestImages LocalImages(string path) =>
        Directory.Exists(path) ? new DirectoryManifestImages(path) : new ZipManifestImages(path);

    public static JsonObject ToJson(Guid project, bool created, ImportManifestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["project_id"] = project.ToString(),
            ["project_created"] = created,
            ["image_column"] = report.ImageColumn,
            ["rows"] = report.Rows,
            ["items_added"] = report.Added.Count,
            ["downloaded"] = report.Downloaded,
            ["duplicates"] = report.Duplicates.Count,
            ["rejected"] = report.Rejected.Count,
            ["bad_rows"] = report.BadRows.Count,
            ["unreferenced_files"] = report.Unreferenced.Count,
            ["examples"] = new JsonObject
            {
                ["duplicates"] = Examples(report.Duplicates),
                ["rejected"] = Examples(report.Rejected),
                ["bad_rows"] = new JsonArray([.. report.BadRows.Take(20).Select(b => (JsonNode)new JsonObject { ["line"] = b.Line, ["reason"] = b.Reason })]),
                ["unreferenced_files"] = new JsonArray([.. report.Unreferenced.Take(20).Select(u => (JsonNode)JsonValue.Create(u))]),
            },
        };
    }

    private static JsonArray Examples(IReadOnlyList<SkippedFile> files) =>
        new([.. files.Take(20).Select(f => (JsonNode)new JsonObject { ["file"] = f.FileName, ["reason"] = f.Reason })]);

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
