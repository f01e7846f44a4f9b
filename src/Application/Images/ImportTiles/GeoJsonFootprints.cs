using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Common;
using FluentValidation;
using FluentValidation.Results;

namespace CoConstruisons.Application.Images.ImportTiles;

/// <summary>
/// One GeoJSON feature ready to be cut: its position in the file (1-based), name (<c>id</c>, else
/// <c>properties.id</c>, else the position), WGS84 bounding box and the item metadata; or, when the
/// feature cannot be used (not a polygon, bad coordinates), the reason in <see cref="Error"/>.
/// </summary>
public sealed record TileFeature(int Index, string Name, double West, double South, double East, double North, Dictionary<string, string> Metadata, string? Error);

/// <summary>Reads the features of a GeoJSON <c>FeatureCollection</c> (or a single <c>Feature</c>). An unreadable file is refused (<see cref="ValidationException"/>); a bad feature is kept with its reason.</summary>
public static class GeoJsonFootprints
{
    /// <summary>Why a GeoJSON without any feature is refused (the portal's tile import and the command line's).</summary>
    public static string NoFeature(string fileName) =>
        Texts.T($"GeoJSON « {fileName} » refusé : il ne contient aucun objet.", $"GeoJSON '{fileName}' refused: it holds no feature.");

    /// <summary>Reads every feature, in file order.</summary>
    public static List<TileFeature> Read(string fileName, byte[] geoJson, int zoom, string tileUrlTemplate)
    {
        ArgumentNullException.ThrowIfNull(geoJson);
        try
        {
            return ReadCore(fileName, geoJson, zoom, tileUrlTemplate);
        }
        catch (InvalidOperationException ex)
        {
            // A node of the wrong kind where an object or a string was expected (e.g. "type": 3).
            throw Refuse(fileName, Texts.T($"structure inattendue ({ex.Message})", $"unexpected structure ({ex.Message})"));
        }
    }

    private static List<TileFeature> ReadCore(string fileName, byte[] geoJson, int zoom, string tileUrlTemplate)
    {
        JsonNode? root;
        try
        {
            ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
            var span = geoJson.AsSpan();
            root = JsonNode.Parse(span.StartsWith(bom) ? span[3..] : span);
        }
        catch (JsonException ex)
        {
            throw Refuse(fileName, Texts.T($"JSON illisible ({ex.Message})", $"unreadable JSON ({ex.Message})"));
        }

        var list = root?["type"]?.GetValue<string>() switch
        {
            "FeatureCollection" => root["features"] as JsonArray,
            "Feature" => new JsonArray(root.DeepClone()),
            _ => null,
        } ?? throw Refuse(fileName, Texts.T("ni FeatureCollection ni Feature", "neither a FeatureCollection nor a Feature"));

        var features = new List<TileFeature>();
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
                features.Add(new TileFeature(index, name, 0, 0, 0, 0, metadata, Texts.T(
                    $"géométrie « {type ?? "absente"} » : Polygon ou MultiPolygon attendu",
                    $"geometry '{type ?? "missing"}': Polygon or MultiPolygon expected")));
                continue;
            }

            double west = double.MaxValue, south = double.MaxValue, east = double.MinValue, north = double.MinValue;
            var points = 0;
            var ok = Walk(geometry!["coordinates"], ref west, ref south, ref east, ref north, ref points);
            if (!ok || points == 0 || west < -180 || east > 180 || south < -WebMercator.MaxLatitude || north > WebMercator.MaxLatitude)
            {
                features.Add(new TileFeature(index, name, 0, 0, 0, 0, metadata, Texts.T(
                    "coordonnées invalides (longitude, latitude WGS84 attendues)",
                    "invalid coordinates (WGS84 longitude, latitude expected)")));
                continue;
            }

            metadata["footprint"] = geometry.ToJsonString();
            metadata["zoom"] = zoom.ToString(CultureInfo.InvariantCulture);
            metadata["tile_source"] = tileUrlTemplate;
            features.Add(new TileFeature(index, name, west, south, east, north, metadata, null));
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
