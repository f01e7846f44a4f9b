using System.Diagnostics;
using System.Globalization;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Images.ImportTiles;
using Marten;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.TileImportJobs;

/// <summary>
/// Runs tile import jobs (<see cref="TileImportJob"/>), called in a loop by the Api's background
/// worker. A job is claimed with optimistic concurrency (one node at a time), then its features are
/// cut in batches; each batch's items and the job's progress are saved in one transaction
/// (<see cref="ImageIntake"/> with <c>beforeSave</c>), which also renews the claim. A job whose
/// claim expired (its node crashed or stopped) is taken over from its last saved batch; images
/// are deduplicated by content hash, so nothing is added twice even if a batch were redone.
/// </summary>
public sealed partial class TileImportRunner(
    IDocumentStore documents,
    IImageInspector inspector,
    IImageStore images,
    IRemoteFileFetcher fetcher,
    ITileCompositor compositor,
    IOptions<UploadLimits> uploads,
    IOptions<ImportOptions> options,
    IImportFileStore files,
    global::Mediator.IMediator mediator,
    TimeProvider clock,
    ILogger<TileImportRunner> logger)
{
    private ImportOptions Settings => options.Value;

    /// <summary>Claims the oldest waiting job (queued, or running with an expired claim) and runs it to its end. False when there is none.</summary>
    public async Task<bool> RunNextAsync(string worker, CancellationToken cancellationToken)
    {
        var job = await ClaimAsync(worker, cancellationToken);
        if (job is null)
        {
            return false;
        }

        if (job.State != TileImportState.Running)
        {
            return true; // given up (too many attempts), or taken by another node: look again
        }

        var culture = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(string.IsNullOrEmpty(job.Language) ? "fr" : job.Language);
            if (job.Kind == ImportKind.OpenSolarMap)
            {
                await RunOpenSolarMapAsync(job, worker, cancellationToken);
            }
            else
            {
                await RunAsync(job, worker, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The node is stopping: let any node (this one restarted included) resume at once.
            await UpdateIfOursAsync(job.Id, worker, j => j.LeaseUntil = clock.GetUtcNow(), CancellationToken.None);
            throw;
        }
        catch (Npgsql.NpgsqlException)
        {
            throw; // the database is unwell: the job stays claimed and is resumed when the claim expires
        }
        catch (Exception ex) when (!ConcurrencyConflicts.IsConflict(ex))
        {
            LogJobFailed(logger, ex, job.Id);
            await UpdateIfOursAsync(job.Id, worker, j => Fail(j, Texts.T(
                "l'import s'est arrêté sur une erreur inattendue (les images déjà ajoutées restent dans le projet)",
                "the import stopped on an unexpected error (the images already added stay in the project)")), CancellationToken.None);
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }

        return true;
    }

    private async Task<TileImportJob?> ClaimAsync(string worker, CancellationToken cancellationToken)
    {
        await using var session = documents.LightweightSession();
        var now = clock.GetUtcNow();
        var job = await session.Query<TileImportJob>()
            .Where(j => j.State == TileImportState.Queued || (j.State == TileImportState.Running && j.LeaseUntil < now))
            .OrderBy(j => j.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (job is null)
        {
            return null;
        }

        if (job.Attempts >= Settings.MaxAttempts)
        {
            Fail(job, Texts.T(
                $"abandonné après {job.Attempts} reprises (les images déjà ajoutées restent dans le projet)",
                $"given up after {job.Attempts} attempts (the images already added stay in the project)"));
            session.Delete<TileImportInput>(job.Id);
            files.Delete(job.Id);
        }
        else
        {
            if (job.State == TileImportState.Running)
            {
                LogResuming(logger, job.Id, job.Processed, job.Features, job.Worker);
            }

            job.State = TileImportState.Running;
            job.Worker = worker;
            job.LeaseUntil = now + TimeSpan.FromSeconds(Settings.LeaseSeconds);
            job.Attempts++;
            job.StartedAt ??= now;
        }

        session.Store(job);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return job;
        }
        catch (Exception ex) when (ConcurrencyConflicts.IsConflict(ex))
        {
            return new TileImportJob { State = TileImportState.Queued }; // another node was quicker
        }
    }

    private async Task RunAsync(TileImportJob job, string worker, CancellationToken cancellationToken)
    {
        List<TileFeature> features;
        await using (var session = documents.QuerySession())
        {
            var input = await session.LoadAsync<TileImportInput>(job.Id, cancellationToken);
            if (input is null)
            {
                await UpdateIfOursAsync(job.Id, worker, j => Fail(j, Texts.T("le fichier GeoJSON de l'import est introuvable", "the import's GeoJSON file is missing")), cancellationToken);
                return;
            }

            try
            {
                features = GeoJsonFootprints.Read(job.GeoJsonName, input.GeoJson, job.Zoom, job.TileUrlTemplate);
            }
            catch (FluentValidation.ValidationException ex)
            {
                await UpdateIfOursAsync(job.Id, worker, j => Fail(j, string.Join(" ", ex.Errors.Select(e => e.ErrorMessage))), cancellationToken);
                return;
            }
        }

        var cutter = new TileCutter(fetcher, compositor, job.TileUrlTemplate, job.Zoom, job.MarginPixels, job.TileSize, job.MaxTilesPerFeature);
        var next = job.Processed;
        var tilesCounted = 0;
        while (next < features.Count)
        {
            var files = new List<UploadedFile>();
            var bad = new List<FeatureProblem>();
            var started = Stopwatch.GetTimestamp();
            var end = next;
            while (end < features.Count && end - next < Math.Max(1, Settings.BatchFeatures)
                   && (end == next || Stopwatch.GetElapsedTime(started).TotalSeconds < Settings.BatchSeconds))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var feature = features[end];
                if (feature.Error is not null)
                {
                    bad.Add(new FeatureProblem(feature.Index, feature.Name, feature.Error));
                }
                else
                {
                    files.Add(await cutter.CutAsync(feature, cancellationToken));
                }

                end++;
            }

            var tiles = cutter.TilesDownloaded - tilesCounted;
            if (!await SaveBatchAsync(job.Id, worker, next, end, files, bad, tiles, cancellationToken))
            {
                LogTakenOver(logger, job.Id);
                return;
            }

            tilesCounted += tiles;
            next = end;
        }

        await using (var session = documents.LightweightSession())
        {
            var current = await session.LoadAsync<TileImportJob>(job.Id, cancellationToken);
            if (current is null || current.Worker != worker || current.State != TileImportState.Running)
            {
                return;
            }

            current.State = TileImportState.Done;
            current.FinishedAt = clock.GetUtcNow();
            current.Worker = null;
            current.LeaseUntil = null;
            session.Store(current);
            session.Delete<TileImportInput>(job.Id);
            await session.SaveChangesAsync(cancellationToken);
            LogJobDone(logger, job.Id, current.Features, current.Added, current.Duplicates, current.Rejected, current.BadFeatures);
        }
    }

    /// <summary>
    /// An OpenSolarMap job: the <see cref="OpenSolarMapImport.ImportOpenSolarMap"/> use case on the
    /// stored files. It is idempotent (items and answers have stable ids; present items are skipped),
    /// so a job resumed after a crash simply runs again. Progress (images done) is saved, with the
    /// claim renewed, at most every <c>BatchSeconds</c>.
    /// </summary>
    private async Task RunOpenSolarMapAsync(TileImportJob job, string worker, CancellationToken cancellationToken)
    {
        var images = job.ImagesName is null ? null : files.PathOf(job.Id, job.ImagesName);
        var contributions = job.ContributionsName is null ? null : files.PathOf(job.Id, job.ContributionsName);
        var buildings = job.BuildingsName is null ? null : files.PathOf(job.Id, job.BuildingsName);
        if (images is null || contributions is null || (job.BuildingsName is not null && buildings is null))
        {
            await UpdateIfOursAsync(job.Id, worker, j => Fail(j, Texts.T("les fichiers de l'import sont introuvables", "the import's files are missing")), cancellationToken);
            return;
        }

        var limits = new UploadLimits
        {
            MaxImageBytes = uploads.Value.MaxImageBytes,
            MaxPixels = uploads.Value.MaxPixels,
            MaxFiles = Settings.MaxFeatures,
            MaxTotalBytes = uploads.Value.MaxTotalBytes,
            MaxCompressionRatio = uploads.Value.MaxCompressionRatio,
        };
        var lastSaved = Stopwatch.GetTimestamp();
        var ours = true;
        OpenSolarMapImport.ImportReport report;
        try
        {
            report = await mediator.Send(
                new OpenSolarMapImport.ImportOpenSolarMap(
                    job.OwnerId, job.GeoJsonName, images, contributions, buildings, job.ProjectId, limits,
                    Progress: async (done, total) =>
                    {
                        if (done < total && Stopwatch.GetElapsedTime(lastSaved).TotalSeconds < Settings.BatchSeconds)
                        {
                            return;
                        }

                        lastSaved = Stopwatch.GetTimestamp();
                        ours = await RecordProgressAsync(job.Id, worker, done, total, cancellationToken);
                        if (!ours)
                        {
                            throw new OperationCanceledException("taken over");
                        }
                    }),
                cancellationToken);
        }
        catch (OperationCanceledException) when (!ours)
        {
            LogTakenOver(logger, job.Id);
            return;
        }
        catch (Exception ex) when (ex is FluentValidation.ValidationException or Common.Exceptions.RuleViolationException or Common.Exceptions.NotFoundException)
        {
            var reason = ex is FluentValidation.ValidationException v ? string.Join(" ", v.Errors.Select(e => e.ErrorMessage)) : ex.Message;
            await UpdateIfOursAsync(job.Id, worker, j => Fail(j, reason), cancellationToken);
            return;
        }

        report.ProjectCreated = job.ProjectCreated;
        await UpdateIfOursAsync(job.Id, worker, j =>
        {
            j.State = TileImportState.Done;
            j.FinishedAt = clock.GetUtcNow();
            j.Worker = null;
            j.LeaseUntil = null;
            j.Features = report.ImagesFound;
            j.Processed = report.ImagesFound;
            j.Added = report.ItemsImported;
            j.Duplicates = report.ImagesDuplicateContent;
            j.Rejected = report.ImagesUnreadable;
            j.BadFeatures = report.BadRows.Count;
            j.OpenSolarMapReport = report;
        }, cancellationToken);
        LogJobDone(logger, job.Id, report.ImagesFound, report.ItemsImported, report.ImagesDuplicateContent, report.ImagesUnreadable, report.BadRows.Count);
    }

    /// <summary>Saves an OpenSolarMap job's progress and renews its claim. False when the job is no longer this worker's.</summary>
    private async Task<bool> RecordProgressAsync(Guid jobId, string worker, int done, int total, CancellationToken cancellationToken)
    {
        await using var session = documents.LightweightSession();
        var job = await session.LoadAsync<TileImportJob>(jobId, cancellationToken);
        if (job is null || job.Worker != worker || job.State != TileImportState.Running)
        {
            return false;
        }

        job.Features = total;
        job.Processed = done;
        job.LeaseUntil = clock.GetUtcNow() + TimeSpan.FromSeconds(Settings.LeaseSeconds);
        session.Store(job);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ConcurrencyConflicts.IsConflict(ex))
        {
            return false;
        }
    }

    /// <summary>Adds one batch's images and records its outcome and the new progress in one transaction. False when the job is no longer this worker's.</summary>
    private async Task<bool> SaveBatchAsync(Guid jobId, string worker, int from, int to, List<UploadedFile> files, List<FeatureProblem> bad, int tiles, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = documents.LightweightSession();
            var job = await session.LoadAsync<TileImportJob>(jobId, cancellationToken);
            if (job is null || job.Worker != worker || job.State != TileImportState.Running || job.Processed != from)
            {
                return false;
            }

            try
            {
                await ImageIntake.AddAsync(session, inspector, images, uploads.Value, clock.GetUtcNow(), job.ProjectId, job.OwnerId, files, cancellationToken, report =>
                {
                    job.Processed = to;
                    job.Added += report.Added.Count;
                    job.Duplicates += report.Duplicates.Count;
                    job.Rejected += report.Rejected.Count;
                    job.BadFeatures += bad.Count;
                    job.TilesDownloaded += tiles;
                    Keep(job.DuplicateList, report.Duplicates.Select(d => new ImportProblem(d.FileName, d.Reason)));
                    Keep(job.RejectedList, report.Rejected.Select(r => new ImportProblem(r.FileName, r.Reason)));
                    Keep(job.BadFeatureList, bad);
                    job.LeaseUntil = clock.GetUtcNow() + TimeSpan.FromSeconds(Settings.LeaseSeconds);
                    session.Store(job);
                });
                return true;
            }
            catch (Exception ex) when (attempt < 3 && ConcurrencyConflicts.IsConflict(ex))
            {
                // Another node took the job (the next load says so), or an image with the same
                // content was added meanwhile (the retry counts it as a duplicate).
            }
        }
    }

    private static void Keep<T>(List<T> list, IEnumerable<T> problems)
    {
        foreach (var problem in problems)
        {
            if (list.Count >= TileImportJob.MaxProblemsKept)
            {
                return;
            }

            list.Add(problem);
        }
    }

    private void Fail(TileImportJob job, string error)
    {
        job.State = TileImportState.Failed;
        job.Error = error;
        job.FinishedAt = clock.GetUtcNow();
        job.Worker = null;
        job.LeaseUntil = null;
    }

    private async Task UpdateIfOursAsync(Guid jobId, string worker, Action<TileImportJob> change, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = documents.LightweightSession();
            var job = await session.LoadAsync<TileImportJob>(jobId, cancellationToken);
            if (job is null || job.Worker != worker || job.IsFinished)
            {
                return;
            }

            change(job);
            session.Store(job);
            if (job.IsFinished)
            {
                session.Delete<TileImportInput>(jobId);
            }

            await session.SaveChangesAsync(cancellationToken);
            if (job.IsFinished)
            {
                files.Delete(jobId);
            }
        }
        catch (Exception ex) when (ConcurrencyConflicts.IsConflict(ex))
        {
            // someone else holds it now
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Tile import {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tile import {JobId}: resuming at feature {Processed}/{Features} (was claimed by {Worker})")]
    private static partial void LogResuming(ILogger logger, Guid jobId, int processed, int features, string? worker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tile import {JobId}: taken over by another node, this node stops")]
    private static partial void LogTakenOver(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tile import {JobId} done: {Features} features, {Added} added, {Duplicates} duplicates, {Rejected} rejected, {Bad} bad")]
    private static partial void LogJobDone(ILogger logger, Guid jobId, int features, int added, int duplicates, int rejected, int bad);
}
