using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Projects;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.ImportTiles;

/// <summary>
/// Cuts one image per GeoJSON feature (Polygon or MultiPolygon, WGS84) out of an XYZ tile service,
/// as OpenSolarMap made its images from aerial photographs: the feature's bounding box at
/// <see cref="Zoom"/>, grown by <see cref="MarginPixels"/>, is covered by tiles fetched from
/// <see cref="TileUrlTemplate"/> ({z}/{x}/{y}; {-y} for TMS), stitched and cropped. The item's
/// metadata: the feature's properties, its geometry as <c>footprint</c> (so the GeoJSON export
/// works), <c>zoom</c> and <c>tile_source</c>.
/// </summary>
public sealed record ImportTiles(
    Guid OwnerId,
    Guid ProjectId,
    string GeoJsonName,
    byte[] GeoJson,
    string TileUrlTemplate,
    int Zoom,
    int MarginPixels = 16,
    int TileSize = 256,
    int MaxTilesPerFeature = 16,
    IProgress<int>? Progress = null) : ICommand<ImportTilesReport>;

/// <summary>A feature that could not be used (not a polygon, bad coordinates…), by its position in the file (1-based) and id.</summary>
public sealed record FeatureProblem(int Feature, string Name, string Reason);

/// <summary>What became of every feature: <c>Features = Added + Duplicates + Rejected + BadFeatures</c>.</summary>
public sealed record ImportTilesReport(
    int Features,
    IReadOnlyList<AddedImage> Added,
    IReadOnlyList<SkippedFile> Duplicates,
    IReadOnlyList<SkippedFile> Rejected,
    IReadOnlyList<FeatureProblem> BadFeatures,
    int TilesDownloaded);

public sealed class ImportTilesValidator : AbstractValidator<ImportTiles>
{
    public ImportTilesValidator()
    {
        RuleFor(c => c.GeoJson).NotEmpty()
            .WithMessage(_ => Texts.T("Le fichier GeoJSON est vide.", "The GeoJSON file is empty."));
        RuleFor(c => c.TileUrlTemplate).Must(IsTemplate).WithMessage(_ => TemplateMessage());
        RuleFor(c => c.Zoom).InclusiveBetween(0, 24)
            .WithMessage(_ => Texts.T("Le niveau de zoom doit être entre 0 et 24.", "The zoom level must be between 0 and 24."));
        RuleFor(c => c.MarginPixels).InclusiveBetween(0, 1024)
            .WithMessage(_ => Texts.T("La marge doit être entre 0 et 1024 pixels.", "The margin must be between 0 and 1024 pixels."));
        RuleFor(c => c.TileSize).InclusiveBetween(64, 1024)
            .WithMessage(_ => Texts.T("La taille des tuiles doit être entre 64 et 1024 pixels.", "The tile size must be between 64 and 1024 pixels."));
        RuleFor(c => c.MaxTilesPerFeature).InclusiveBetween(1, 256)
            .WithMessage(_ => Texts.T("Le nombre de tuiles par objet doit être entre 1 et 256.", "Tiles per feature must be between 1 and 256."));
    }

    /// <summary>An absolute http(s) address with {z}, {x} and {y} (or {-y}), e.g. https://tiles.example.org/{z}/{x}/{y}.png.</summary>
    public static bool IsTemplate(string? template)
    {
        if (template is null || template.Length > 2000 || !template.Contains("{z}", StringComparison.Ordinal) || !template.Contains("{x}", StringComparison.Ordinal)
            || !(template.Contains("{y}", StringComparison.Ordinal) || template.Contains("{-y}", StringComparison.Ordinal)))
        {
            return false;
        }

        return Uri.TryCreate(WebMercator.TileUrl(template, 0, 0, 0), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);
    }

    public static string TemplateMessage() => Texts.T(
        "Le modèle d'adresse des tuiles doit être une adresse http(s) contenant {z}, {x} et {y}, par exemple https://tuiles.exemple.fr/{z}/{x}/{y}.png.",
        "The tile URL template must be an http(s) address containing {z}, {x} and {y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png.");
}

public sealed class ImportTilesHandler(
    IDocumentSession session,
    IImageInspector inspector,
    IImageStore store,
    IRemoteFileFetcher fetcher,
    ITileCompositor compositor,
    IOptions<UploadLimits> options,
    TimeProvider clock) : ICommandHandler<ImportTiles, ImportTilesReport>
{
    /// <summary>Largest tile accepted (a tile is usually 10–60 kB).</summary>
    public const long MaxTileBytes = TileCutter.MaxTileBytes;

    private const int BatchSize = 50;

    public async ValueTask<ImportTilesReport> Handle(ImportTiles command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var limits = options.Value;
        var features = GeoJsonFootprints.Read(command.GeoJsonName, command.GeoJson, command.Zoom, command.TileUrlTemplate);
        var cutter = new TileCutter(fetcher, compositor, command.TileUrlTemplate, command.Zoom, command.MarginPixels, command.TileSize, command.MaxTilesPerFeature);
        var added = new List<AddedImage>();
        var duplicates = new List<SkippedFile>();
        var rejected = new List<SkippedFile>();
        var bad = new List<FeatureProblem>();
        var done = 0;
        foreach (var batch in features.Chunk(BatchSize))
        {
            var files = new List<UploadedFile>();
            foreach (var feature in batch)
            {
                if (feature.Error is not null)
                {
                    bad.Add(new FeatureProblem(feature.Index, feature.Name, feature.Error));
                    continue;
                }

                files.Add(await cutter.CutAsync(feature, cancellationToken));
            }

            var report = await ImageIntake.AddAsync(session, inspector, store, limits, clock.GetUtcNow(), project.Id, command.OwnerId, files, cancellationToken);
            added.AddRange(report.Added);
            duplicates.AddRange(report.Duplicates);
            rejected.AddRange(report.Rejected);
            done += batch.Length;
            command.Progress?.Report(done);
        }

        return new ImportTilesReport(features.Count, added, duplicates, rejected, bad, cutter.TilesDownloaded);
    }
}
