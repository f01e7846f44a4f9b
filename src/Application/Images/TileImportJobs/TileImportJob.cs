using CoConstruisons.Application.Images.ImportTiles;

namespace CoConstruisons.Application.Images.TileImportJobs;

/// <summary>What a background import does: cut tiles from a GeoJSON, or bring in OpenSolarMap data.</summary>
public enum ImportKind
{
    Tiles,
    OpenSolarMap,
}

public enum TileImportState
{
    Queued,
    Running,
    Done,
    Failed,
}

/// <summary>A feature that did not become an item, and why (rejected or duplicate).</summary>
public sealed record ImportProblem(string Name, string Reason);

/// <summary>
/// A tile import started from the portal and run in the background (Marten document). Everything
/// needed to resume is here and in <see cref="TileImportInput"/>: the settings, and how many
/// features (in file order) are done. Each batch's items and this document's progress are saved
/// in one transaction, so after a crash the features counted in <see cref="Processed"/> are exactly
/// those whose fate is recorded; a node that finds the job <see cref="TileImportState.Running"/>
/// with an expired lease takes it over from there. Optimistic concurrency: two nodes never both
/// record a batch.
/// </summary>
public sealed class TileImportJob
{
    /// <summary>At most this many rejected features, duplicates or bad features are kept with their reason (the counts stay exact).</summary>
    public const int MaxProblemsKept = 1000;

    public Guid Id { get; set; }

    public Guid ProjectId { get; set; }

    /// <summary>The owner who started it (the items' <c>ItemAdded.AddedBy</c>).</summary>
    public Guid OwnerId { get; set; }

    public ImportKind Kind { get; set; }

    public string GeoJsonName { get; set; } = "";

    /// <summary>OpenSolarMap: the uploaded files' names (kept by <c>IImportFileStore</c> until the job ends; null: not given).</summary>
    public string? ImagesName { get; set; }

    public string? ContributionsName { get; set; }

    public string? BuildingsName { get; set; }

    /// <summary>OpenSolarMap: whether the job's start created the project (false: it resumes into the owner's project of that title).</summary>
    public bool ProjectCreated { get; set; }

    /// <summary>OpenSolarMap: the import's report once done (items, answers, every unusable input counted).</summary>
    public OpenSolarMapImport.ImportReport? OpenSolarMapReport { get; set; }

    public string TileUrlTemplate { get; set; } = "";

    public int Zoom { get; set; }

    public int MarginPixels { get; set; }

    public int TileSize { get; set; } = 256;

    public int MaxTilesPerFeature { get; set; } = 16;

    public TileImportState State { get; set; }

    /// <summary>The culture of the owner who started it: the reasons recorded by the background worker are written in it.</summary>
    public string Language { get; set; } = "fr";

    /// <summary>Features in the file (the progress bar's total).</summary>
    public int Features { get; set; }

    /// <summary>Features done, in file order: the next run starts at this index.</summary>
    public int Processed { get; set; }

    public int Added { get; set; }

    public int Duplicates { get; set; }

    public int Rejected { get; set; }

    public int BadFeatures { get; set; }

    public int TilesDownloaded { get; set; }

    public List<ImportProblem> DuplicateList { get; set; } = [];

    public List<ImportProblem> RejectedList { get; set; } = [];

    public List<FeatureProblem> BadFeatureList { get; set; } = [];

    /// <summary>Why the job failed (state <see cref="TileImportState.Failed"/>).</summary>
    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The node running it, and until when its claim holds (renewed at each batch).</summary>
    public string? Worker { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Times a node took it (a job that keeps killing its node fails after a few).</summary>
    public int Attempts { get; set; }

    public bool IsFinished => State is TileImportState.Done or TileImportState.Failed;
}

/// <summary>The uploaded GeoJSON of a job, written once (same id as the job) and deleted when the job ends.</summary>
public sealed class TileImportInput
{
    public Guid Id { get; set; }

    public byte[] GeoJson { get; set; } = [];
}

/// <summary>Settings of background imports (configuration section "Imports").</summary>
public sealed class ImportOptions
{
    /// <summary>Largest GeoJSON accepted from the portal (the gRPC message limit follows it).</summary>
    public long MaxGeoJsonBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most features in one GeoJSON.</summary>
    public int MaxFeatures { get; set; } = 50_000;

    /// <summary>How long a node's claim on a job holds without news; past it another node (or the same one restarted) resumes the job.</summary>
    public double LeaseSeconds { get; set; } = 120;

    /// <summary>How often an idle worker looks for queued or abandoned jobs (a job started on this node wakes it at once).</summary>
    public double PollSeconds { get; set; } = 5;

    /// <summary>Progress is saved (with the batch's items) after this many features, or sooner after <see cref="BatchSeconds"/>.</summary>
    public int BatchFeatures { get; set; } = 25;

    public double BatchSeconds { get; set; } = 3;

    /// <summary>A job taken over this many times without finishing fails (it may be what kills the node).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Largest OpenSolarMap upload (images .zip and CSV files together) accepted from the portal (the gRPC message limit follows it).</summary>
    public long MaxOpenSolarMapBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Whether this node runs import jobs (an Api node may leave them to others).</summary>
    public bool Worker { get; set; } = true;
}
