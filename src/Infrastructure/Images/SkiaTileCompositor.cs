using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using SkiaSharp;

namespace CoConstruisons.Infrastructure.Images;

/// <summary><see cref="ITileCompositor"/> with SkiaSharp: every tile must decode to tileSize × tileSize.</summary>
public sealed class SkiaTileCompositor : ITileCompositor
{
    public ComposedImage Compose(IReadOnlyList<PlacedTile> tiles, int tileSize, int cropX, int cropY, int cropWidth, int cropHeight)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (cropWidth <= 0 || cropHeight <= 0)
        {
            return new ComposedImage(null, Texts.T("zone vide", "empty area"));
        }

        using var surface = SKSurface.Create(new SKImageInfo(cropWidth, cropHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        foreach (var tile in tiles)
        {
            using var tileData = SKData.CreateCopy(tile.Bytes);
            using var codec = SKCodec.Create(tileData);
            using var bitmap = codec is null ? null : SKBitmap.Decode(codec);
            if (bitmap is null)
            {
                return new ComposedImage(null, Texts.T($"la tuile {tile.Url} n'est pas une image lisible", $"tile {tile.Url} is not a readable image"));
            }

            if (bitmap.Width != tileSize || bitmap.Height != tileSize)
            {
                return new ComposedImage(null, Texts.T(
                    $"la tuile {tile.Url} mesure {bitmap.Width}×{bitmap.Height}, {tileSize}×{tileSize} attendu",
                    $"tile {tile.Url} is {bitmap.Width}×{bitmap.Height}, {tileSize}×{tileSize} expected"));
            }

            canvas.DrawBitmap(bitmap, (tile.Column * tileSize) - cropX, (tile.Row * tileSize) - cropY);
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return new ComposedImage(data.ToArray(), null);
    }
}
