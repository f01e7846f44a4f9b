using CoConstruisons.Application.Abstractions;
using SkiaSharp;

namespace CoConstruisons.Infrastructure.Images;

/// <summary>
/// Draws small aerial-looking roofs for the demo project and tests: a gabled roof whose ridge is
/// horizontal (pans facing north and south) or vertical (east and west), a flat roof with
/// equipment, or a hipped roof ("other"), on a noisy ground, with random size, colour and tilt.
/// </summary>
public sealed class RoofImageGenerator : IDemoImageGenerator
{
    public static readonly string[] Choices = ["north_south", "east_west", "flat", "other"];

    public IReadOnlyList<GeneratedImage> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var images = new List<GeneratedImage>(count);
        for (var i = 0; i < count; i++)
        {
            var choice = Choices[i % Choices.Length];
            images.Add(new GeneratedImage($"toit-{i + 1:0000}.jpg", Draw(choice, random), choice));
        }

        return images;
    }

    public static byte[] Draw(string choice, Random random)
    {
        var width = random.Next(64, 112);
        var height = random.Next(64, 112);
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor((byte)random.Next(80, 130), (byte)random.Next(100, 150), (byte)random.Next(60, 100)));
        using var noise = new SKPaint { IsAntialias = false };
        for (var n = 0; n < width * height / 12; n++)
        {
            var shade = (byte)random.Next(60, 160);
            noise.Color = new SKColor(shade, (byte)(shade + 10), (byte)(shade - 20), 90);
            canvas.DrawRect(random.Next(width), random.Next(height), 2, 2, noise);
        }

        canvas.Translate(width / 2f, height / 2f);
        canvas.RotateDegrees(random.Next(-12, 13));
        var w = width * (float)(0.45 + random.NextDouble() * 0.25);
        var h = height * (float)(0.45 + random.NextDouble() * 0.25);
        var roof = new SKRect(-w / 2, -h / 2, w / 2, h / 2);
        var tile = new SKColor((byte)random.Next(150, 200), (byte)random.Next(60, 100), (byte)random.Next(40, 80));
        using var light = new SKPaint { Color = tile, IsAntialias = true };
        using var dark = new SKPaint { Color = tile.WithRed((byte)(tile.Red * 0.6)).WithGreen((byte)(tile.Green * 0.6)).WithBlue((byte)(tile.Blue * 0.6)), IsAntialias = true };
        using var ridge = new SKPaint { Color = SKColors.Black.WithAlpha(160), StrokeWidth = 1.5f, IsAntialias = true };
        switch (choice)
        {
            case "north_south":
                canvas.DrawRect(new SKRect(roof.Left, roof.Top, roof.Right, 0), light);
                canvas.DrawRect(new SKRect(roof.Left, 0, roof.Right, roof.Bottom), dark);
                canvas.DrawLine(roof.Left, 0, roof.Right, 0, ridge);
                break;
            case "east_west":
                canvas.DrawRect(new SKRect(roof.Left, roof.Top, 0, roof.Bottom), light);
                canvas.DrawRect(new SKRect(0, roof.Top, roof.Right, roof.Bottom), dark);
                canvas.DrawLine(0, roof.Top, 0, roof.Bottom, ridge);
                break;
            case "flat":
                using (var grey = new SKPaint { Color = new SKColor(150, 150, 155), IsAntialias = true })
                using (var box = new SKPaint { Color = new SKColor(90, 90, 95) })
                {
                    canvas.DrawRect(roof, grey);
                    for (var b = 0; b < 3; b++)
                    {
                        canvas.DrawRect(roof.Left + (float)random.NextDouble() * (w - 6), roof.Top + (float)random.NextDouble() * (h - 6), 5, 5, box);
                    }
                }

                break;
            default:
                DrawTriangle(canvas, light, roof.Left, roof.Top, roof.Right, roof.Top);
                DrawTriangle(canvas, dark, roof.Left, roof.Bottom, roof.Right, roof.Bottom);
                DrawTriangle(canvas, light, roof.Left, roof.Top, roof.Left, roof.Bottom);
                DrawTriangle(canvas, dark, roof.Right, roof.Top, roof.Right, roof.Bottom);
                break;
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 88);
        return data.ToArray();
    }

    private static void DrawTriangle(SKCanvas canvas, SKPaint paint, float x1, float y1, float x2, float y2)
    {
        using var path = new SKPath();
        path.MoveTo(x1, y1);
        path.LineTo(x2, y2);
        path.LineTo(0, 0);
        path.Close();
        canvas.DrawPath(path, paint);
    }
}
