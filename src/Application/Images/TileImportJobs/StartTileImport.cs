using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.ImportTiles;
using CoConstruisons.Application.Projects;
using FluentValidation;
using FluentValidation.Results;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.TileImportJobs;

/// <summary>
/// Queues a tile import (the <see cref="ImportTiles"/> work, run by <see cref="TileImportRunner"/> in
/// the background): the GeoJSON is read now, so a file that cannot be used is refused at once,
/// and so is a tile service on the platform's own network.
/// </summary>
public sealed record StartTileImport(
    Guid OwnerId,
    Guid ProjectId,
    string GeoJsonName,
    byte[] GeoJson,
    string TileUrlTemplate,
    int Zoom,
    int MarginPixels = 16) : ICommand<TileImportJob>;

public sealed class StartTileImportValidator : AbstractValidator<StartTileImport>
{
    public StartTileImportValidator(IOptions<ImportOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = options.Value.MaxGeoJsonBytes;
        RuleFor(c => c.GeoJson).NotEmpty()
            .WithMessage(_ => Texts.T("Choisissez un fichier GeoJSON (il est vide ou absent).", "Choose a GeoJSON file (it is empty or missing)."));
        RuleFor(c => c.GeoJson).Must(g => g is null || g.LongLength <= max)
            .WithMessage(_ => Texts.T(
                $"Le fichier GeoJSON dépasse {max / 1024.0 / 1024.0:0.#} Mo : découpez-le en plusieurs imports.",
                $"The GeoJSON file is over {max / 1024.0 / 1024.0:0.#} MB: split it into several imports."));
        RuleFor(c => c.GeoJsonName).MaximumLength(255)
            .WithMessage(_ => Texts.T("Nom de fichier trop long.", "File name too long."));
        RuleFor(c => c.TileUrlTemplate).Must(ImportTilesValidator.IsTemplate).WithMessage(_ => ImportTilesValidator.TemplateMessage());
        RuleFor(c => c.Zoom).InclusiveBetween(0, 24)
            .WithMessage(_ => Texts.T("Le niveau de zoom doit être entre 0 et 24.", "The zoom level must be between 0 and 24."));
        RuleFor(c => c.MarginPixels).InclusiveBetween(0, 1024)
            .WithMessage(_ => Texts.T("La marge doit être entre 0 et 1024 pixels.", "The margin must be between 0 and 1024 pixels."));
    }
}

public sealed class StartTileImportHandler(
    IDocumentSession session,
    IRemoteFileFetcher fetcher,
    TileImportSignal signal,
    IOptions<ImportOptions> options,
    TimeProvider clock) : ICommandHandler<StartTileImport, TileImportJob>
{
    public async ValueTask<TileImportJob> Handle(StartTileImport command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var firstTile = new Uri(WebMercator.TileUrl(command.TileUrlTemplate, command.Zoom, 0, 0));
        if (await fetcher.RefusalAsync(firstTile, cancellationToken) is { } refusal)
        {
            throw Refuse("TileUrlTemplate", Texts.T(
                $"Service de tuiles refusé : {refusal}. Le serveur ne télécharge pas depuis son propre réseau.",
                $"Tile service refused: {refusal}. The server does not download from its own network."));
        }

        var name = string.IsNullOrWhiteSpace(command.GeoJsonName) ? "footprints.geojson" : Path.GetFileName(command.GeoJsonName.Trim());
        var features = GeoJsonFootprints.Read(name, command.GeoJson, command.Zoom, command.TileUrlTemplate);
        var limit = options.Value.MaxFeatures;
        if (features.Count == 0)
        {
            throw Refuse("GeoJson", GeoJsonFootprints.NoFeature(name));
        }

        if (features.Count > limit)
        {
            throw Refuse("GeoJson", Texts.T(
                $"GeoJSON « {name} » refusé : {features.Count} objets, au plus {limit} par import.",
                $"GeoJSON '{name}' refused: {features.Count} features, at most {limit} per import."));
        }

        var job = new TileImportJob
        {
            Id = Guid.CreateVersion7(),
            ProjectId = project.Id,
            OwnerId = command.OwnerId,
            GeoJsonName = name,
            TileUrlTemplate = command.TileUrlTemplate,
            Zoom = command.Zoom,
            MarginPixels = command.MarginPixels,
            State = TileImportState.Queued,
            Features = features.Count,
            Language = System.Globalization.CultureInfo.CurrentUICulture.Name,
            CreatedAt = clock.GetUtcNow(),
        };
        session.Store(job);
        session.Store(new TileImportInput { Id = job.Id, GeoJson = command.GeoJson });
        await session.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return job;
    }

    private static ValidationException Refuse(string property, string message) => new([new ValidationFailure(property, message)]);
}

/// <summary>One job of a project the caller owns (another owner's job is "not found").</summary>
public sealed record GetTileImportJob(Guid OwnerId, Guid JobId) : IQuery<TileImportJob>;

public sealed class GetTileImportJobHandler(IQuerySession session) : IQueryHandler<GetTileImportJob, TileImportJob>
{
    public async ValueTask<TileImportJob> Handle(GetTileImportJob query, CancellationToken cancellationToken)
    {
        var job = await session.LoadAsync<TileImportJob>(query.JobId, cancellationToken);
        var notFound = new Common.Exceptions.NotFoundException(Texts.T($"Import « {query.JobId} » introuvable.", $"Import '{query.JobId}' was not found."));
        if (job is null)
        {
            throw notFound;
        }

        try
        {
            await session.LoadOwnedAsync(job.ProjectId, query.OwnerId, cancellationToken);
        }
        catch (Common.Exceptions.NotFoundException)
        {
            throw notFound;
        }

        return job;
    }
}

/// <summary>
/// A project's latest import jobs, newest first: every kind, or only those of <paramref name="Kind"/>
/// (the limit counts the jobs of that kind, so a page's tile import section finds its latest tile
/// import even after a newer OpenSolarMap import).
/// </summary>
public sealed record ListTileImportJobs(Guid OwnerId, Guid ProjectId, int Limit = 10, ImportKind? Kind = null) : IQuery<IReadOnlyList<TileImportJob>>;

public sealed class ListTileImportJobsValidator : AbstractValidator<ListTileImportJobs>
{
    public ListTileImportJobsValidator()
    {
        RuleFor(q => q.Kind).IsInEnum()
            .WithMessage(q => Texts.T(
                $"Type d'import inconnu : {(int?)q.Kind}. Types connus : {KnownKinds()}.",
                $"Unknown import kind: {(int?)q.Kind}. Known kinds: {KnownKinds()}."));
    }

    private static string KnownKinds() => string.Join(", ", Enum.GetValues<ImportKind>().Select(k => $"{(int)k} ({k})"));
}

public sealed class ListTileImportJobsHandler(IQuerySession session) : IQueryHandler<ListTileImportJobs, IReadOnlyList<TileImportJob>>
{
    public async ValueTask<IReadOnlyList<TileImportJob>> Handle(ListTileImportJobs query, CancellationToken cancellationToken)
    {
        await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var limit = query.Limit is > 0 and <= 100 ? query.Limit : 10;
        var jobs = session.Query<TileImportJob>().Where(j => j.ProjectId == query.ProjectId);
        if (query.Kind is { } kind)
        {
            jobs = jobs.Where(j => j.Kind == kind);
        }

        return await jobs
            .OrderByDescending(j => j.CreatedAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }
}

/// <summary>Wakes this node's import worker when a job is queued here (other nodes find it when they next look).</summary>
public sealed class TileImportSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already awake
            }
        }
    }

    /// <summary>Waits until woken or the delay passes.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => _signal.WaitAsync(delay, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
