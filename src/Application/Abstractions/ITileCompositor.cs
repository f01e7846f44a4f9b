namespace CoConstruisons.Application.Abstractions;

/// <summary>One downloaded map tile and where it sits, in tiles, from the top-left tile of the mosaic.</summary>
public sealed record PlacedTile(int Column, int Row, byte[] Bytes, string Url);

/// <summary>A stitched and cropped image, or why it could not be made (message for the owner).</summary>
public sealed record ComposedImage(byte[]? Png, string? Error);

/// <summary>Stitches square map tiles into one mosaic and crops a rectangle of it (pixels from the mosaic's top-left corner).</summary>
public interface ITileCompositor
{
    ComposedImage Compose(IReadOnlyList<PlacedTile> tiles, int tileSize, int cropX, int cropY, int cropWidth, int cropHeight);
}
