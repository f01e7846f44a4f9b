using SkiaSharp;

namespace CoConstruisons.Learning;

/// <summary>
/// How a SkiaSharp decode ended, read the same way wherever images are decoded: the platform's
/// image inspector (uploads, imports) and the model's decoder (<see cref="ImageRaster"/>: training,
/// prediction). A truncated file decodes its first rows and reports <see cref="SKCodecResult.IncompleteInput"/>;
/// it is refused, never used with the missing rows left blank.
/// </summary>
public static class ImageDecoding
{
    /// <summary>Null when the image decoded completely; otherwise why it cannot be used, in the current UI language.</summary>
    public static string? Problem(SKCodecResult result) => result switch
    {
        SKCodecResult.Success => null,
        SKCodecResult.IncompleteInput => Messages.T("image tronquée", "truncated image"),
        _ => Messages.T($"image corrompue ({result})", $"corrupt image ({result})"),
    };
}
