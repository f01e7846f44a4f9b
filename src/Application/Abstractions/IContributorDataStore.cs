namespace CoConstruisons.Application.Abstractions;

/// <summary>
/// One stored record of a contributor: an event (<c>event</c>: type, time, data), a document
/// (<c>document</c>), or the entry keyed by them in a record about many contributors
/// (<c>event-entry</c>, <c>document-entry</c>: type and JSON path, the entry).
/// </summary>
public sealed record ContributorRecord(string Kind, string Type, DateTimeOffset? At, string Json);

/// <summary>What an erasure changed.</summary>
/// <remarks>The pseudonym's replacement starts with <see cref="ErasedPrefix"/>, so readers of copied state can tell an erasure happened.</remarks>
public sealed record ErasureReport(int AnswersAnonymised, int RecordsAnonymised, int RecordsDeleted);

/// <summary>
/// Everything the store holds under one contributor's pseudonym (docs/architecture.md, "Privacy"):
/// read for the contributor's own export, and erased on their request.
/// </summary>
public interface IContributorDataStore
{
    /// <summary>How every replacement pseudonym of an erasure starts (then random hex).</summary>
    public const string ErasedPrefix = "erased_";

    /// <summary>Every event and document of <paramref name="contributorId"/>, oldest event first, and their entries in shared records.</summary>
    Task<IReadOnlyList<ContributorRecord>> ExportAsync(string contributorId, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: deletes the records that exist only for this contributor (their profile,
    /// progress, answer receipts, chat engagement with its sealed address) and replaces the pseudonym
    /// with a new random one, linked to nothing, everywhere else (their answers stay as anonymous
    /// evidence, so the labels they helped build do not change).
    /// </summary>
    Task<ErasureReport> EraseAsync(string contributorId, CancellationToken cancellationToken);
}
