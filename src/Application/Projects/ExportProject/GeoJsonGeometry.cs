using System.Text.Json.Nodes;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Application.Projects.ExportProject;

/// <summary>
/// The checks of a GeoJSON geometry (RFC 7946 §3.1) a reader would otherwise trip on: a known type, positions of
/// finite numbers (longitude, latitude), enough positions per line, and polygon rings closed with at least four
/// positions. Not checked: self-intersection and ring orientation (readers accept either).
/// </summary>
public static class GeoJsonGeometry
{
    /// <summary>Why <paramref name="geometry"/> is not a valid GeoJSON geometry, in the current language; null when it is.</summary>
    public static string? Problem(JsonNode? geometry)
    {
        if (geometry is not JsonObject g || g["type"] is not JsonValue typeValue || !typeValue.TryGetValue<string>(out var type))
        {
            return Texts.T("l'emprise n'est pas une géométrie GeoJSON (objet avec « type »)", "the footprint is not a GeoJSON geometry (an object with 'type')");
        }

        if (type == "GeometryCollection")
        {
            return g["geometries"] is JsonArray parts && parts.Count > 0
                ? parts.Select(Problem).FirstOrDefault(p => p is not null)
                : Texts.T("GeometryCollection sans géométries", "GeometryCollection without geometries");
        }

        var coordinates = g["coordinates"];
        var ok = type switch
        {
            "Point" => IsPosition(coordinates),
            "MultiPoint" => AllOf(coordinates, IsPosition, 1),
            "LineString" => IsLine(coordinates),
            "MultiLineString" => AllOf(coordinates, IsLine, 1),
            "Polygon" => IsPolygon(coordinates),
            "MultiPolygon" => AllOf(coordinates, IsPolygon, 1),
            _ => (bool?)null,
        };
        return ok switch
        {
            null => Texts.T($"type de géométrie inconnu « {type} »", $"unknown geometry type '{type}'"),
            false => Texts.T(
                $"coordonnées invalides pour un {type} (positions de deux nombres, lignes d'au moins deux positions, anneaux fermés d'au moins quatre)",
                $"invalid coordinates for a {type} (positions of two numbers, lines of at least two positions, closed rings of at least four)"),
            true => null,
        };
    }

    private static bool IsPosition(JsonNode? node) =>
        node is JsonArray { Count: >= 2 } p && p.All(n => n is JsonValue v && v.TryGetValue<double>(out var x) && double.IsFinite(x));

    private static bool IsLine(JsonNode? node) => AllOf(node, IsPosition, 2);

    private static bool IsRing(JsonNode? node) =>
        AllOf(node, IsPosition, 4) && node is JsonArray ring && SamePosition((JsonArray)ring[0]!, (JsonArray)ring[^1]!);

    private static bool SamePosition(JsonArray a, JsonArray b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First!.GetValue<double>() == p.Second!.GetValue<double>());

    private static bool IsPolygon(JsonNode? node) => AllOf(node, IsRing, 1);

    private static bool AllOf(JsonNode? node, Func<JsonNode?, bool> each, int atLeast) =>
        node is JsonArray array && array.Count >= atLeast && array.All(each);
}
