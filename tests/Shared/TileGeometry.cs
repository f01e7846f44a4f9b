using System.Globalization;
using System.Text.Json.Nodes;
using SkiaSharp;

namespace CoConstruisons.Tests.Shared;

/// <summary>
/// A generated XYZ tile service for tests: 256-pixel PNG tiles of one flat colour that tells their
/// column and row apart, and square GeoJSON footprints placed in global pixels at a zoom.
/// </summary>
public static class TileGeometry
{
    public static SKColor TileColour(int x, int y) => new((byte)(x * 37 % 256), (byte)(y * 53 % 256), 200);

    public static double Lon(double px, int zoom) => (px / (256.0 * (1 << zoom)) * 360.0) - 180.0;

    public static double Lat(double py, int zoom) => Math.Atan(Math.Sinh(Math.PI * (1 - (2 * py / (256.0 * (1 << zoom)))))) * 180.0 / Math.PI;

    /// <summary>A square footprint from global pixel (x0, y0) to (x1, y1) at <paramref name="zoom"/>, with properties commune and surface_m2.</summary>
    public static JsonObject Square(string id, double x0, double y0, double x1, double y1, string commune, int zoom) => new()
    {
        ["type"] = "Feature",
        ["id"] = id,
        ["properties"] = new JsonObject { ["commune"] = commune, ["surface_m2"] = 42.5 },
        ["geometry"] = new JsonObject
        {
            ["type"] = "Polygon",
            ["coordinates"] = new JsonArray(new JsonArray(
                new JsonArray(Lon(x0, zoom), Lat(y0, zoom)), new JsonArray(Lon(x1, zoom), Lat(y0, zoom)), new JsonArray(Lon(x1, zoom), Lat(y1, zoom)),
                new JsonArray(Lon(x0, zoom), Lat(y1, zoom)), new JsonArray(Lon(x0, zoom), Lat(y0, zoom)))),
        },
    };

    /// <summary>Reads x and y from a path ending in /{z}/{x}/{y}.png.</summary>
    public static (int X, int Y) TileOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Trim('/').Replace(".png", "", StringComparison.Ordinal).Split('/');
        return (int.Parse(parts[^2], CultureInfo.InvariantCulture), int.Parse(parts[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>A tile server whose tiles are <see cref="TileColour"/> PNGs, with <paramref name="special"/> answering some tiles differently (null: the PNG).</summary>
    public static LocalHttpServer Server(Func<int, int, LocalResponse?>? special = null) => new(path =>
    {
        var (x, y) = TileOf(path);
        return special?.Invoke(x, y) ?? new LocalResponse(200, LocalHttpServer.Png(256, 256, TileColour(x, y)));
    });
}
