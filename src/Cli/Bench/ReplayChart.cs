using SkiaSharp;

namespace CoConstruisons.Cli.Bench;

/// <summary>One named curve of (answers consumed, confident labels) points.</summary>
public sealed record ChartSeries(string Name, SKColor Color, IReadOnlyList<(double X, double Y)> Points);

/// <summary>Draws a small line chart (axes, ticks, curves, title, legend, axis labels) as PNG with SkiaSharp.</summary>
public static class ReplayChart
{
    public static void Write(string path, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        const int width = 1000, height = 620;
        const float left = 90, right = 30, top = 60, bottom = 70;
        var maxX = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Max());
        var maxY = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(1).Max());
        var stepX = NiceStep(maxX);
        var stepY = NiceStep(maxY);
        maxX = Math.Ceiling(maxX / stepX) * stepX;
        maxY = Math.Ceiling(maxY / stepY) * stepY;
        float Px(double x) => left + (float)(x / maxX * (width - left - right));
        float Py(double y) => height - bottom - (float)(y / maxY * (height - top - bottom));

        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.Default;
        using var font = new SKFont(typeface, 14);
        using var titleFont = new SKFont(typeface, 20) { Embolden = true };
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, IsAntialias = true };

        for (var x = 0.0; x <= maxX + 1e-9; x += stepX)
        {
            canvas.DrawLine(Px(x), top, Px(x), height - bottom, grid);
            canvas.DrawText(Format(x), Px(x), height - bottom + 22, SKTextAlign.Center, font, ink);
        }

        for (var y = 0.0; y <= maxY + 1e-9; y += stepY)
        {
            canvas.DrawLine(left, Py(y), width - right, Py(y), grid);
            canvas.DrawText(Format(y), left - 8, Py(y) + 5, SKTextAlign.Right, font, ink);
        }

        canvas.DrawLine(left, height - bottom, width - right, height - bottom, axis);
        canvas.DrawLine(left, top, left, height - bottom, axis);
        canvas.DrawText(title, width / 2f, 35, SKTextAlign.Center, titleFont, ink);
        canvas.DrawText(xLabel, left + ((width - left - right) / 2), height - 20, SKTextAlign.Center, font, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 22, top + ((height - top - bottom) / 2));
        canvas.DrawText(yLabel, 22, top + ((height - top - bottom) / 2), SKTextAlign.Center, font, ink);
        canvas.Restore();

        var legendY = top + 20f;
        foreach (var s in series)
        {
            using var line = new SKPaint { Color = s.Color, StrokeWidth = 3, IsAntialias = true, Style = SKPaintStyle.Stroke };
            using var curve = new SKPath();
            var first = true;
            foreach (var (x, y) in s.Points)
            {
                if (first)
                {
                    curve.MoveTo(Px(x), Py(y));
                    first = false;
                }
                else
                {
                    curve.LineTo(Px(x), Py(y));
                }
            }

            canvas.DrawPath(curve, line);
            canvas.DrawLine(left + 20, legendY - 5, left + 55, legendY - 5, line);
            canvas.DrawText(s.Name, left + 65, legendY, SKTextAlign.Left, font, ink);
            legendY += 22;
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static double NiceStep(double max)
    {
        var raw = max / 8;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var n = raw / magnitude;
        return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
    }

    private static string Format(double v) =>
        v >= 1000 ? (v / 1000).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "k" : v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}
