namespace CoConstruisons.Application.Images.AddImages;

/// <summary>Bounds on uploads (configuration section "Uploads").</summary>
public sealed class UploadLimits
{
    /// <summary>Largest accepted image file.</summary>
    public long MaxImageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest decoded image (width × height), checked from the header before decoding.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Most files in one upload (archive entries included).</summary>
    public int MaxFiles { get; set; } = 5_000;

    /// <summary>Most bytes all files of one upload may expand to (archive bombs stop here).</summary>
    public long MaxTotalBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Most rows of one CSV manifest (each may be a download); the command line raises it.</summary>
    public int MaxManifestRows { get; set; } = 5_000;

    /// <summary>Downloads of one manifest run at the same time.</summary>
    public int ParallelDownloads { get; set; } = 4;

    /// <summary>Largest compression ratio accepted for an archive entry.</summary>
    public int MaxCompressionRatio { get; set; } = 100;
}
