namespace CoConstruisons.Application.Abstractions;

/// <summary>
/// Files uploaded for a background import, kept on disk (never in memory or in the database)
/// until the job ends, so that a job resumed after a crash finds them again.
/// </summary>
public interface IImportFileStore
{
    /// <summary>Writes one file of a job and returns its path.</summary>
    Task<string> SaveAsync(Guid jobId, string name, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>The path of a file of a job, or null when it is missing.</summary>
    string? PathOf(Guid jobId, string name);

    /// <summary>Deletes every file of a job (nothing when there is none).</summary>
    void Delete(Guid jobId);
}
