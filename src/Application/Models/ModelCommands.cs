using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Projects;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Domain.Projects;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Models;

/// <summary>
/// An owner asks for a model now: refused at once (FAILED_PRECONDITION, with counts) when there are
/// too few confident labels; otherwise a queued <see cref="ModelTrainingRun"/> is recorded and the
/// scheduler runs <see cref="TrainProjectModel"/> on one node. A run already queued or running for
/// the project is returned instead of a second one.
/// </summary>
public sealed record RequestModelTraining(Guid OwnerId, Guid ProjectId) : ICommand<ModelTrainingRun>;

public sealed class RequestModelTrainingHandler(IDocumentSession session, IModelTrainingQueue queue, IOptions<ModelOptions> options, TimeProvider clock)
    : ICommandHandler<RequestModelTraining, ModelTrainingRun>
{
    public async ValueTask<ModelTrainingRun> Handle(RequestModelTraining command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var now = clock.GetUtcNow();
        var active = await ActiveRunAsync(session, project.Id, now, cancellationToken);
        if (active is not null)
        {
            return active;
        }

        ModelLabels.EnsureEnough(await ModelLabels.LoadAsync(session, project, cancellationToken), options.Value);
        var run = new ModelTrainingRun
        {
            Id = Guid.CreateVersion7(),
            ProjectId = project.Id,
            State = ModelTrainingState.Queued,
            Stage = "queued",
            RequestedAt = now,
            UpdatedAt = now,
        };
        session.Store(run);
        await session.SaveChangesAsync(cancellationToken);
        await queue.EnqueueAsync(project.Id, run.Id, cancellationToken);
        return run;
    }

    public static async Task<ModelTrainingRun?> ActiveRunAsync(IQuerySession session, Guid projectId, DateTimeOffset now, CancellationToken ct)
    {
        var latest = await LatestRunAsync(session, projectId, ct);
        // A lost run (its process gone: ModelTrainingRun.IsLost) no longer blocks a new one.
        return latest is { IsActive: true } && !latest.IsLost(now) ? latest : null;
    }

    public static async Task<ModelTrainingRun?> LatestRunAsync(IQuerySession session, Guid projectId, CancellationToken ct) =>
        await session.Query<ModelTrainingRun>().Where(r => r.ProjectId == projectId)
            .OrderByDescending(r => r.RequestedAt).FirstOrDefaultAsync(ct);
}

/// <summary>What the portal's model section shows: the latest run, the versions (newest first), the confident labels and the target.</summary>
public sealed record GetModelOverview(Guid OwnerId, Guid ProjectId) : IQuery<ModelOverview>;

public sealed record ModelOverview(
    ModelTrainingRun? LatestRun,
    IReadOnlyList<ModelVersion> Versions,
    int ConfidentLabels,
    IReadOnlyDictionary<string, int> LabelsPerClass,
    int MinLabels,
    double AutoLabelPrecision,
    double ModelPriorWeight);

public sealed class GetModelOverviewHandler(IQuerySession session, IOptions<ModelOptions> options, TimeProvider clock) : IQueryHandler<GetModelOverview, ModelOverview>
{
    public async ValueTask<ModelOverview> Handle(GetModelOverview query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var run = (await RequestModelTrainingHandler.LatestRunAsync(session, project.Id, cancellationToken))?.AsSeenAt(clock.GetUtcNow());
        var versions = await session.Query<ModelVersion>().Where(v => v.ProjectId == project.Id)
            .OrderByDescending(v => v.Number).ToListAsync(cancellationToken);
        var labels = await ModelLabels.LoadAsync(session, project, cancellationToken);
        return new ModelOverview(run, versions, labels.Count, labels.PerClass, options.Value.MinLabels, project.Settings.AutoLabelPrecision, project.Settings.ModelPriorWeight);
    }
}

/// <summary>An owner's change to a project's model settings: checked with the other settings, stored, then the model overview again.</summary>
internal static class ModelSettings
{
    public static async ValueTask<ModelOverview> ChangeAsync(
        IDocumentSession session, IMediator mediator, Guid ownerId, Guid projectId, Func<ProjectSettings, ProjectSettings> change, CancellationToken ct)
    {
        var project = await session.LoadOwnedAsync(projectId, ownerId, ct);
        var settings = change(project.Settings);
        var result = await new ProjectSettingsValidator().ValidateAsync(settings, ct);
        if (!result.IsValid)
        {
            throw new ValidationException(result.Errors);
        }

        project.Settings = settings;
        session.Store(project);
        await session.SaveChangesAsync(ct);
        return await mediator.Send(new GetModelOverview(ownerId, projectId), ct);
    }
}

/// <summary>
/// The owner's target precision for machine labels (0.5–0.999). It applies from the next model
/// version: the threshold is chosen on that version's calibration part.
/// </summary>
public sealed record SetAutoLabelPrecision(Guid OwnerId, Guid ProjectId, double Precision) : ICommand<ModelOverview>;

public sealed class SetAutoLabelPrecisionValidator : AbstractValidator<SetAutoLabelPrecision>
{
    public SetAutoLabelPrecisionValidator()
    {
        RuleFor(c => c.Precision).InclusiveBetween(0.5, 0.999).WithMessage(_ => Texts.T(
            "La précision visée pour l'étiquetage automatique va de 0,5 à 0,999.",
            "The auto-label target precision is between 0.5 and 0.999."));
    }
}

public sealed class SetAutoLabelPrecisionHandler(IDocumentSession session, IMediator mediator) : ICommandHandler<SetAutoLabelPrecision, ModelOverview>
{
    public ValueTask<ModelOverview> Handle(SetAutoLabelPrecision command, CancellationToken cancellationToken)
        => ModelSettings.ChangeAsync(session, mediator, command.OwnerId, command.ProjectId, s => s with { AutoLabelPrecision = command.Precision }, cancellationToken);
}

/// <summary>
/// How much the latest model's prediction counts as a prior in consensus (0 = off, to 1 = as a
/// calibrated likelihood; docs/consensus.md, "The model's prediction as a prior"). It applies to
/// an item's belief at its next answer and to every answered item at the next refit.
/// </summary>
public sealed record SetModelPriorWeight(Guid OwnerId, Guid ProjectId, double Weight) : ICommand<ModelOverview>;

public sealed class SetModelPriorWeightValidator : AbstractValidator<SetModelPriorWeight>
{
    public SetModelPriorWeightValidator()
    {
        RuleFor(c => c.Weight).InclusiveBetween(0, 1).WithMessage(_ => Texts.T(
            "Le poids du modèle dans le consensus va de 0 (sans effet) à 1.",
            "The model's weight in consensus is between 0 (no effect) and 1."));
    }
}

public sealed class SetModelPriorWeightHandler(IDocumentSession session, IMediator mediator) : ICommandHandler<SetModelPriorWeight, ModelOverview>
{
    public ValueTask<ModelOverview> Handle(SetModelPriorWeight command, CancellationToken cancellationToken)
        => ModelSettings.ChangeAsync(session, mediator, command.OwnerId, command.ProjectId, s => s with { ModelPriorWeight = command.Weight }, cancellationToken);
}

/// <summary>The folder of a model version's files, checked (present, checksum) before it is served.</summary>
public sealed record GetModelFiles(Guid OwnerId, Guid ProjectId, string Version) : IQuery<ModelFiles>;

public sealed record ModelFiles(ModelVersion Model, string Directory, string DownloadName);

public sealed class GetModelFilesHandler(IQuerySession session, IModelFileStore files, IImageClassifierTrainer trainer) : IQueryHandler<GetModelFiles, ModelFiles>
{
    public async ValueTask<ModelFiles> Handle(GetModelFiles query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var model = await session.Query<ModelVersion>()
            .Where(v => v.ProjectId == project.Id && v.Version == query.Version)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException(Texts.T($"Version de modèle « {query.Version} » introuvable.", $"Model version '{query.Version}' was not found."));
        var directory = files.DirectoryFor(project.Id, model.Version);
        trainer.Verify(directory);
        return new ModelFiles(model, directory, $"model-{project.Id:N}-{model.Version}.zip");
    }
}
