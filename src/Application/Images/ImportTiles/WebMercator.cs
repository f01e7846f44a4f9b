namespace CoConstruisons.Application.Images.ImportTiles;

/// <summary>
/// The XYZ ("slippy map") tile scheme: Web Mercator, tile (0, 0) at the north-west corner, 2^zoom
/// tiles across. Pixel coordinates here are global at a zoom level (tileSize × 2^zoom wide).
/// </summary>
public static class WebMercator
{
    /// <summary>Latitudes beyond this are outside Web Mercator's square world.</summary>
    public const double MaxLatitude = 85.05112878;

    public static double PixelX(double longitude, int zoom, int tileSize) =>
        (longitude + 180.0) / 360.0 * tileSize * Math.Pow(2, zoom);

    public static double PixelY(double latitude, int zoom, int tileSize)
    {
        var phi = latitude * Math.PI / 180.0;
        return (1 - (Math.Log(Math.Tan(phi) + (1 / Math.Cos(phi))) / Math.PI)) / 2 * tileSize * Math.Pow(2, zoom);
    }

    /// <summary>The pixel rectangle (x, y, width, height) covering a WGS84 bounding box, grown by <paramref name="margin"/> pixels, clipped to the world.</summary>
    public static (int X, int Y, int Width, int Height) PixelBox(double west, double south, double east, double north, int zoom, int tileSize, int margin)
    {
        var world = (long)tileSize << zoom;
        var x0 = (long)Math.Floor(PixelX(west, zoom, tileSize)) - margin;
        var x1 = (long)Math.Ceiling(PixelX(east, zoom, tileSize)) + margin;
        var y0 = (long)Math.Floor(PixelY(north, zoom, tileSize)) - margin;
        var y1 = (long)Math.Ceiling(PixelY(south, zoom, tileSize)) + margin;
        x0 = Math.Clamp(x0, 0, world);
        y0 = Math.Clamp(y0, 0, world);
        x1 = Math.Clamp(Math.Max(x1, x0 + 1), 0, world);
        y1 = Math.Clamp(Math.Max(y1, y0 + 1), 0, world);
        return ((int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0));
    }

    /// <summary>Fills a URL template: {z}, {x}, {y} (and {-y} for TMS services, counted from the south).</summary>
    public static string TileUrl(string template, int zoom, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template
            .Replace("{z}", zoom.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{x}", x.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{-y}", ((1 << zoom) - 1 - y).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{y}", y.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
