namespace CoConstruisons.Application.Abstractions;

/// <summary>A generated image with the answer it was drawn to show.</summary>
public sealed record GeneratedImage(string FileName, byte[] Bytes, string TrueChoice);

/// <summary>Draws small roof-like images for the demo project and for tests.</summary>
public interface IDemoImageGenerator
{
    IReadOnlyList<GeneratedImage> Generate(int count, int seed);
}
