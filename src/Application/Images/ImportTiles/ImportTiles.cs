using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Projects;
using FluentValidation;
using FluentValidation.Results;
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
        RuleFor(c => c.TileUrlTemplate)
            .Must(t => t is not null && t.Contains("{z}", StringComparison.Ordinal) && t.Contains("{x}", StringComparison.Ordinal)
                && (t.Contains("{y}", StringComparison.Ordinal) || t.Contains("{-y}", StringComparison.Ordinal))
                && (t.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            .WithMessage(_ => Texts.T(
                "Le modèle d'adresse des tuiles doit être en http(s) et contenir {z}, {x} et {y}.",
                "The tile URL template must be http(s) and contain {z}, {x} and {y}."));
        RuleFor(c => c.Zoom).InclusiveBetween(0, 24)
            .WithMessage(_ => Texts.T("Le niveau de zoom doit être entre 0 et 24.", "The zoom level must be between 0 and 24."));
        RuleFor(c => c.MarginPixels).InclusiveBetween(0, 1024)
            .WithMessage(_ => Texts.T("La marge doit être entre 0 et 1024 pixels.", "The margin must be between 0 and 1024 pixels."));
        RuleFor(c => c.TileSize).InclusiveBetween(64, 1024)
            .WithMessage(_ => Texts.T("La taille des tuiles doit être entre 64 et 1024 pixels.", "The tile size must be between 64 and 1024 pixels."));
        RuleFor(c => c.MaxTilesPerFeature).InclusiveBetween(1, 256)
            .WithMessage(_ => Texts.T("Le nombre de tuiles par objet doit être entre 1 et 256.", "Tiles per feature must be between 1 and 256."));
    }
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
    public const long MaxTileBytes = 4 * 1024 * 1024;

    private const int BatchSize = 50;
    private const int CachedTiles = 256;

    public async ValueTask<ImportTilesReport> Handle(ImportTiles command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var limits = options.Value;
        var features = ReadFeatures(command);
        var added = new List<AddedImage>();
        var duplicates = new List<SkippedFile>();
        var rejected = new List<SkippedFile>();
        var bad = new List<FeatureProblem>();
        var cache = new Dictionary<string, FetchedFile>(StringComparer.Ordinal);
        var downloaded = 0;
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

                var (x, y, width, height) = WebMercator.PixelBox(feature.West, feature.South, feature.East, feature.North, command.Zoom, command.TileSize, command.MarginPixels);
                var reference = Texts.T($"objet {feature.Index} ({feature.Name})", $"feature {feature.Index} ({feature.Name})");
                var name = $"{Safe(feature.Name)}.png";
                var tx0 = x / command.TileSize;
                var ty0 = y / command.TileSize;
                var tx1 = (x + width - 1) / command.TileSize;
                var ty1 = (y + height - 1) / command.TileSize;
                var count = (tx1 - tx0 + 1) * (ty1 - ty0 + 1);
                if (count > command.MaxTilesPerFeature)
                {
                    files.Add(new UploadedFile(name, [], Texts.T(
                        $"il faudrait {count} tuiles (au plus {command.MaxTilesPerFeature}) : baissez le zoom",
                        $"it would take {count} tiles (at most {command.MaxTilesPerFeature}): lower the zoom"), feature.Metadata, reference));
                    continue;
                }

                var tiles = new List<PlacedTile>();
                string? error = null;
                for (var ty = ty0; ty <= ty1 && error is null; ty++)
                {
                    for (var tx = tx0; tx <= tx1 && error is null; tx++)
                    {
                        var url = WebMercator.TileUrl(command.TileUrlTemplate, command.Zoom, tx, ty);
                        if (!cache.TryGetValue(url, out var tile))
                        {
                            tile = Uri.TryCreate(url, UriKind.Absolute, out var uri)
                                ? await fetcher.FetchAsync(uri, MaxTileBytes, cancellationToken)
                                : FetchedFile.Failed(Texts.T("adresse de tuile invalide", "invalid tile URL"));
                            downloaded += tile.Bytes is null ? 0 : 1;
                            if (cache.Count >= CachedTiles)
                            {
                                cache.Clear();
                            }

                            cache[url] = tile;
                        }

                        if (tile.Bytes is null)
                        {
                            error = Texts.T($"tuile {url} : {tile.Error}", $"tile {url}: {tile.Error}");
                        }
                        else
                        {
                            tiles.Add(new PlacedTile(tx - tx0, ty - ty0, tile.Bytes, url));
                        }
                    }
                }

                if (error is null)
                {
                    var composed = compositor.Compose(tiles, command.TileSize, x - (tx0 * command.TileSize), y - (ty0 * command.TileSize), width, height);
                    error = composed.Error;
                    files.Add(new UploadedFile(name, composed.Png ?? [], error, feature.Metadata, reference));
                }
                else
                {
                    files.Add(new UploadedFile(name, [], error, feature.Metadata, reference));
                }
            }

            var report = await ImageIntake.AddAsync(session, inspector, store, limits, clock.GetUtcNow(), project.Id, command.OwnerId, files, cancellationToken);
            added.AddRange(report.Added);
            duplicates.AddRange(report.Duplicates);
            rejected.AddRange(report.Rejected);
            done += batch.Length;
            command.Progress?.Report(done);
        }

        return new ImportTilesReport(features.Count, added, duplicates, rejected, bad, downloaded);
    }

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? "feature" : safe[..Math.Min(safe.Length, 80)];
    }

    private sealed record Feature(int Index, string Name, double West, double South, double East, double North, Dictionary<string, string> Metadata, string? Error);

    private static List<Feature> ReadFeatures(ImportTiles command)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(command.GeoJson);
        }
        catch (JsonException ex)
        {
            throw Refuse(command.GeoJsonName, Texts.T($"JSON illisible ({ex.Message})", $"unreadable JSON ({ex.Message})"));
        }

        var list = root?["type"]?.GetValue<string>() switch
        {
            "FeatureCollection" => root["features"] as JsonArray,
            "Feature" => new JsonArray(root.DeepClone()),
            _ => null,
        } ?? throw Refuse(command.GeoJsonName, Texts.T("ni FeatureCollection ni Feature", "neither a FeatureCollection nor a Feature"));

        var features = new List<Feature>();
        var index = 0;
        foreach (var node in list)
        {
            index++;
            var name = node?["id"]?.ToString() ?? node?["properties"]?["id"]?.ToString() ?? index.ToString(CultureInfo.InvariantCulture);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node?["properties"] is JsonObject properties)
            {
                foreach (var (key, value) in properties)
                {
                    metadata[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
                }
            }

            var geometry = node?["geometry"];
            var type = geometry?["type"]?.GetValue<string>();
            if (type is not ("Polygon" or "MultiPolygon"))
            {
                features.Add(new Feature(index, name, 0, 0, 0, 0, metadata, Texts.T(
                    $"géométrie « {type ?? "absente"} » : Polygon ou MultiPolygon attendu",
                    $"geometry '{type ?? "missing"}': Polygon or MultiPolygon expected")));
                continue;
            }

            double west = double.MaxValue, south = double.MaxValue, east = double.MinValue, north = double.MinValue;
            var points = 0;
            var ok = Walk(geometry!["coordinates"], ref west, ref south, ref east, ref north, ref points);
            if (!ok || points == 0 || west < -180 || east > 180 || south < -WebMercator.MaxLatitude || north > WebMercator.MaxLatitude)
            {
                features.Add(new Feature(index, name, 0, 0, 0, 0, metadata, Texts.T(
                    "coordonnées invalides (longitude, latitude WGS84 attendues)",
                    "invalid coordinates (WGS84 longitude, latitude expected)")));
                continue;
            }

            metadata["footprint"] = geometry.ToJsonString();
            metadata["zoom"] = command.Zoom.ToString(CultureInfo.InvariantCulture);
            metadata["tile_source"] = command.TileUrlTemplate;
            features.Add(new Feature(index, name, west, south, east, north, metadata, null));
        }

        return features;
    }

    /// <summary>Visits nested coordinate arrays; a position is [longitude, latitude, …].</summary>
    private static bool Walk(JsonNode? node, ref double west, ref double south, ref double east, ref double north, ref int points)
    {
        if (node is not JsonArray array)
        {
            return false;
        }

        if (array.Count >= 2 && array[0] is JsonValue lonValue && array[1] is JsonValue latValue)
        {
            if (!lonValue.TryGetValue<double>(out var lon) || !latValue.TryGetValue<double>(out var lat) || !double.IsFinite(lon) || !double.IsFinite(lat))
            {
                return false;
            }

            west = Math.Min(west, lon);
            east = Math.Max(east, lon);
            south = Math.Min(south, lat);
            north = Math.Max(north, lat);
            points++;
            return true;
        }

        foreach (var child in array)
        {
            if (!Walk(child, ref west, ref south, ref east, ref north, ref points))
            {
                return false;
            }
        }

        return true;
    }

    private static ValidationException Refuse(string file, string reason) =>
        new([new ValidationFailure("geojson", Texts.T($"GeoJSON « {file} » refusé : {reason}.", $"GeoJSON '{file}' refused: {reason}."))]);
}
