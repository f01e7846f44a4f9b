using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Learning;
using SkiaSharp;

namespace CoConstruisons.Infrastructure.Images;

/// <summary>
/// Reads the header first (format, width, height) and refuses more pixels than allowed before
/// allocating anything; then decodes fully, so truncated or corrupt files are refused too.
/// </summary>
public sealed class SkiaImageInspector : IImageInspector
{
    public const int ThumbnailSize = 160;

    public ImageInspection Inspect(ReadOnlySpan<byte> bytes, long maxPixels)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return ImageInspection.Invalid(Texts.T("ce n'est pas une image lisible (JPEG, PNG, WebP, GIF ou BMP)", "not a readable image (JPEG, PNG, WebP, GIF or BMP)"));
        }

        var mediaType = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => "image/jpeg",
            SKEncodedImageFormat.Png => "image/png",
            SKEncodedImageFormat.Webp => "image/webp",
            SKEncodedImageFormat.Gif => "image/gif",
            SKEncodedImageFormat.Bmp => "image/bmp",
            _ => null,
        };
        if (mediaType is null)
        {
            return ImageInspection.Invalid(Texts.T($"format {codec.EncodedFormat} non pris en charge", $"unsupported format {codec.EncodedFormat}"));
        }

        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            return ImageInspection.Invalid(Texts.T("dimensions invalides", "invalid dimensions"));
        }

        if ((long)width * height > maxPixels)
        {
            return ImageInspection.Invalid(Texts.T(
                $"image trop grande : {width}×{height} pixels (limite {maxPixels:N0})",
                $"image too large: {width}×{height} pixels (limit {maxPixels:N0})"));
        }

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        if (ImageDecoding.Problem(codec.GetPixels(info, bitmap.GetPixels())) is { } problem)
        {
            return ImageInspection.Invalid(problem);
        }

        return new ImageInspection(true, null, mediaType, width, height, Thumbnail(bitmap));
    }

    private static byte[] Thumbnail(SKBitmap bitmap)
    {
        var scale = Math.Min(1.0, (double)ThumbnailSize / Math.Max(bitmap.Width, bitmap.Height));
        var info = new SKImageInfo(Math.Max(1, (int)Math.Round(bitmap.Width * scale)), Math.Max(1, (int)Math.Round(bitmap.Height * scale)));
        using var resized = bitmap.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)) ?? bitmap.Copy();
        using var image = SKImage.FromBitmap(resized);
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 85);
        return encoded.ToArray();
    }
}
