using SkiaSharp;

namespace CoConstruisons.Learning;

/// <summary>An image that could not be decoded (corrupt, truncated, not an image).</summary>
public sealed class UnreadableImageException(string path, string reason)
    : Exception(Messages.T($"Impossible de lire l'image « {path} » : {reason}.", $"Cannot read image '{path}': {reason}."))
{
    public string ImagePath { get; } = path;
}

/// <summary>
/// An image resampled to a fixed square of <see cref="Size"/>×<see cref="Size"/> RGB floats in [0, 1],
/// with its original width and height kept (the aspect ratio is a feature). Immutable.
/// </summary>
public sealed class ImageRaster
{
    public const int Size = 48;

    private readonly float[] _rgb; // [y, x, c] row-major, 3 channels

    public int OriginalWidth { get; }

    public int OriginalHeight { get; }

    internal ImageRaster(float[] rgb, int originalWidth, int originalHeight)
    {
        _rgb = rgb;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
    }

    internal float this[int y, int x, int c] => _rgb[(((y * Size) + x) * 3) + c];

    public static ImageRaster Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new UnreadableImageException(path, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnreadableImageException(path, ex.Message);
        }

        return Decode(bytes, path);
    }

    private static string NotAnImage => Messages.T("ce n'est pas une image décodable (JPEG, PNG ou WebP attendu)", "not a decodable image (JPEG/PNG/WebP expected)");

    public static ImageRaster Decode(byte[] bytes, string name = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            throw new UnreadableImageException(name, Messages.T("le fichier est vide", "the file is empty"));
        }

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            throw new UnreadableImageException(name, NotAnImage);
        }

        // As SKBitmap.Decode(codec) does (premultiplied, no colour space), but a file that stops before
        // its last row is refused (SKBitmap.Decode keeps it, the missing rows blank).
        var decodedInfo = codec.Info;
        if (decodedInfo.Width <= 0 || decodedInfo.Height <= 0)
        {
            throw new UnreadableImageException(name, NotAnImage);
        }

        if (decodedInfo.AlphaType == SKAlphaType.Unpremul)
        {
            decodedInfo.AlphaType = SKAlphaType.Premul;
        }

        decodedInfo.ColorSpace = null;
        using var decoded = new SKBitmap(decodedInfo);
        if (ImageDecoding.Problem(codec.GetPixels(decodedInfo, decoded.GetPixels())) is { } problem)
        {
            throw new UnreadableImageException(name, problem);
        }

        var info = new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var source = decoded.ColorType == SKColorType.Rgba8888 ? null : decoded.Copy(SKColorType.Rgba8888);
        using var resized = (source ?? decoded).Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new UnreadableImageException(name, Messages.T("impossible de la rééchantillonner", "could not be resampled"));
        var pixels = resized.GetPixelSpan();
        var rgb = new float[Size * Size * 3];
        for (var i = 0; i < Size * Size; i++)
        {
            rgb[(i * 3) + 0] = pixels[(i * 4) + 0] / 255f;
            rgb[(i * 3) + 1] = pixels[(i * 4) + 1] / 255f;
            rgb[(i * 3) + 2] = pixels[(i * 4) + 2] / 255f;
        }

        return new ImageRaster(rgb, decoded.Width, decoded.Height);
    }

    /// <summary>
    /// One of the 8 symmetries of the square: <paramref name="transform"/> = rotation (transform % 4
    /// quarter turns, clockwise) after an optional horizontal mirror (transform ≥ 4). Odd rotations
    /// swap width and height.
    /// </summary>
    public ImageRaster Transformed(int transform)
    {
        if (transform is < 0 or > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(transform), transform, "0..7 expected");
        }

        if (transform == 0)
        {
            return this;
        }

        var quarterTurns = transform % 4;
        var mirror = transform >= 4;
        var output = new float[_rgb.Length];
        const int last = Size - 1;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                // Source pixel of output (y, x): undo the rotation, then the mirror.
                int sy, sx;
                switch (quarterTurns)
                {
                    case 1: sy = last - x; sx = y; break;      // clockwise quarter turn
                    case 2: sy = last - y; sx = last - x; break;
                    case 3: sy = x; sx = last - y; break;
                    default: sy = y; sx = x; break;
                }

                if (mirror)
                {
                    sx = last - sx;
                }

                var o = ((y * Size) + x) * 3;
                var s = ((sy * Size) + sx) * 3;
                output[o] = _rgb[s];
                output[o + 1] = _rgb[s + 1];
                output[o + 2] = _rgb[s + 2];
            }
        }

        var swap = quarterTurns % 2 == 1;
        return new ImageRaster(output, swap ? OriginalHeight : OriginalWidth, swap ? OriginalWidth : OriginalHeight);
    }

    /// <summary>Whether a transform turns the image by a quarter (so horizontal and vertical swap).</summary>
    public static bool SwapsAxes(int transform) => transform % 4 % 2 == 1;
}
