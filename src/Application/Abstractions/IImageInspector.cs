namespace CoConstruisons.Application.Abstractions;

/// <summary>What decoding an uploaded file taught us: either a usable image or the reason it is refused.</summary>
public sealed record ImageInspection(bool IsValid, string? Error, string MediaType, int Width, int Height, byte[] Thumbnail)
{
    public static ImageInspection Invalid(string error) => new(false, error, "", 0, 0, []);
}

/// <summary>Decodes images safely: checks the header's pixel count before decoding, refuses truncated data.</summary>
public interface IImageInspector
{
    ImageInspection Inspect(ReadOnlySpan<byte> bytes, long maxPixels);
}
