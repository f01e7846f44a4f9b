using System.Text.Json.Nodes;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Images.ImportTiles;
using CoConstruisons.Cli.Imports;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// Cuts one image per GeoJSON footprint out of an XYZ tile service (the application's
/// <see cref="ImportTiles"/> use case) and adds them as items. Prints a JSON report.
/// </summary>
public sealed class ImportTilesCommand : ICliCommand
{
    public string Name => "import-tiles";

    public string Usage =>
        $"import-tiles --geojson FILE --tiles URL_TEMPLATE --zoom N [--margin PX] [--tile-size PX] [--max-tiles N] {ImportTarget.Options} [--connection CS] [--schema S] [--storage DIR]";

    public string Summary => Texts.T(
        "Pour chaque Polygon/MultiPolygon d'un fichier GeoJSON, télécharge les tuiles XYZ ({z}/{x}/{y}) qui couvrent son emprise, les assemble et les recadre, et ajoute l'image comme élément, avec les propriétés et l'emprise de l'objet en métadonnées ; les emprises refusées sont détaillées en JSON (code de sortie 3 s'il y en a).",
        "For each Polygon/MultiPolygon of a GeoJSON file, fetches the XYZ tiles ({z}/{x}/{y}) covering its bounding box, stitches and crops them, and adds the image as an item with the feature's properties and footprint as metadata; refused footprints are reported as JSON (exit code 3 when any).");

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var geojson = args.RequiredOption("geojson");
        var tiles = args.RequiredOption("tiles");
        var zoom = args.IntOption("zoom", -1);
        var margin = args.IntOption("margin", 16);
        var tileSize = args.IntOption("tile-size", 256);
        var maxTiles = args.IntOption("max-tiles", 16);
        var target = ImportTarget.Read(args, "import@import.local");
        var settings = PlatformServices.Settings(args.Option("connection"), args.Option("schema"), args.Option("storage"));
        args.EnsureAllRead();
        if (zoom < 0)
        {
            throw new UsageException(Texts.T("--zoom N est obligatoire (par exemple 19 pour des photographies aériennes de bâtiments).", "--zoom N is required (e.g. 19 for aerial photographs of buildings)."));
        }

        // Out-of-range options are usage errors (exit code 2), found before any file is read or anything created.
        if (OptionErrors(tiles, zoom, margin, tileSize, maxTiles) is { } wrong)
        {
            throw new UsageException(wrong);
        }

        var (project, created, report) = await Import(settings, target, geojson, tiles, zoom, margin, tileSize, maxTiles, cancellationToken);
        Console.WriteLine(ToJson(project, created, report).ToJsonString(ImportManifestCommand.Json));
        return ImportOutcome.Finish(report.Features, report.Rejected.Count, report.BadFeatures.Count, ("emprise", "footprint"), "rejected", "bad_features");
    }

    /// <summary>The whole import with configuration as key/values (the tests call this).</summary>
    public static async Task<(Guid Project, bool Created, ImportTilesReport Report)> Import(
        IReadOnlyDictionary<string, string?> settings,
        ImportTarget target,
        string geojsonPath,
        string tileTemplate,
        int zoom,
        int margin,
        int tileSize,
        int maxTiles,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!File.Exists(geojsonPath))
        {
            throw new CliException(Texts.T($"Fichier GeoJSON introuvable : « {Path.GetFullPath(geojsonPath)} ».", $"GeoJSON file not found: '{Path.GetFullPath(geojsonPath)}'."));
        }

        var all = new Dictionary<string, string?>(settings)
        {
            ["Downloads:AllowPrivateAddresses"] = settings.GetValueOrDefault("Downloads:AllowPrivateAddresses") ?? "true",
        };
        if (OptionErrors(tileTemplate, zoom, margin, tileSize, maxTiles) is { } wrong)
        {
            throw new CliException(wrong);
        }

        var bytes = await File.ReadAllBytesAsync(geojsonPath, cancellationToken);
        try
        {
            // The options are checked and the GeoJSON read and counted before the owner or the project is
            // created: a refused import changes nothing.
            var name = Path.GetFileName(geojsonPath);
            var total = GeoJsonFootprints.Read(name, bytes, zoom, tileTemplate).Count;
            if (total == 0)
            {
                throw new CliException(GeoJsonFootprints.NoFeature(name));
            }

            await using var provider = await PlatformServices.StartAsync(all);
            var (owner, project, created) = await target.ResolveAsync(provider, cancellationToken);
            using var bar = new ProgressBar("import-tiles", total);
            var last = 0;
            await using var scope = provider.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
                new ImportTiles(owner, project, Path.GetFileName(geojsonPath), bytes, tileTemplate, zoom, margin, tileSize, maxTiles, new SyncProgress(done =>
                {
                    bar.Advance(done - last);
                    last = done;
                })),
                cancellationToken);
            return (project, created, report);
        }
        catch (FluentValidation.ValidationException ex)
        {
            throw new CliException(string.Join(" ", ex.Errors.Select(e => e.ErrorMessage)));
        }
    }

    /// <summary>
    /// What the import's own validation would say of the tile options (template, zoom, margin, tile
    /// size, tiles per feature), or null when they are all right.
    /// </summary>
    internal static string? OptionErrors(string tileTemplate, int zoom, int margin, int tileSize, int maxTiles)
    {
        var options = new ImportTiles(Guid.Empty, Guid.Empty, "", [], tileTemplate, zoom, margin, tileSize, maxTiles);
        var result = new ImportTilesValidator().Validate(options, o => o.IncludeProperties(
            nameof(ImportTiles.TileUrlTemplate), nameof(ImportTiles.Zoom), nameof(ImportTiles.MarginPixels), nameof(ImportTiles.TileSize), nameof(ImportTiles.MaxTilesPerFeature)));
        return result.IsValid ? null : string.Join(" ", result.Errors.Select(e => e.ErrorMessage).Distinct(StringComparer.Ordinal));
    }

    public static JsonObject ToJson(Guid project, bool created, ImportTilesReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["project_id"] = project.ToString(),
            ["project_created"] = created,
            ["features"] = report.Features,
            ["items_added"] = report.Added.Count,
            ["tiles_downloaded"] = report.TilesDownloaded,
            ["duplicates"] = report.Duplicates.Count,
            ["rejected"] = report.Rejected.Count,
            ["bad_features"] = report.BadFeatures.Count,
            ["examples"] = new JsonObject
            {
                ["duplicates"] = Examples(report.Duplicates),
                ["rejected"] = Examples(report.Rejected),
                ["bad_features"] = new JsonArray([.. report.BadFeatures.Take(20).Select(b => (JsonNode)new JsonObject { ["feature"] = b.Feature, ["name"] = b.Name, ["reason"] = b.Reason })]),
            },
        };
    }

    private static JsonArray Examples(IReadOnlyList<SkippedFile> files) =>
        new([.. files.Take(20).Select(f => (JsonNode)new JsonObject { ["file"] = f.FileName, ["reason"] = f.Reason })]);

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
