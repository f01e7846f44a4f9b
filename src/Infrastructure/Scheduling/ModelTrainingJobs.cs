using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Models;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace CoConstruisons.Infrastructure.Scheduling;

/// <summary>
/// One durable Quartz job per project (key <c>train-model.{project}</c>): each fire trains a model
/// version for the run it names (<see cref="TrainProjectModel"/>). Concurrent execution is
/// disallowed per job key, so on a cluster a project never trains twice at once and each fire runs
/// on one node.
/// </summary>
[DisallowConcurrentExecution]
public sealed class TrainProjectModelJob(IMediator mediator, ILogger<TrainProjectModelJob> logger) : IJob
{
    public const string Group = "train-model";

    public static JobKey KeyFor(Guid projectId) => new(projectId.ToString("N"), Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        if (!data.TryGetValue("projectId", out var p) || !Guid.TryParse(p?.ToString(), out var projectId))
        {
            return;
        }

        Guid? runId = data.TryGetValue("runId", out var r) && Guid.TryParse(r?.ToString(), out var id) ? id : null;
        try
        {
            await mediator.Send(new TrainProjectModel(projectId, runId), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The run document records the failure for the owner; Quartz must not retry it in a loop.
            logger.LogWarning(ex, "Model training of project {ProjectId} failed", projectId);
        }
    }
}

/// <summary>Queues training runs on the clustered Quartz store (see <see cref="TrainProjectModelJob"/>).</summary>
public sealed class QuartzModelTrainingQueue(ISchedulerFactory schedulers) : IModelTrainingQueue
{
    public async Task EnqueueAsync(Guid projectId, Guid runId, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = TrainProjectModelJob.KeyFor(projectId);
        if (!await scheduler.Exists(key, cancellationToken))
        {
            var job = JobBuilder.Create<TrainProjectModelJob>().WithIdentity(key).StoreDurably().Build();
            await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
        }

        await scheduler.TriggerJob(key, new JobDataMap { ["projectId"] = projectId.ToString(), ["runId"] = runId.ToString() }, cancellationToken);
    }
}

/// <summary>Without a scheduler (Quartz:Enabled=false): the run is trained in the background of this process.</summary>
public sealed class InProcessModelTrainingQueue(IServiceScopeFactory scopes, ILogger<InProcessModelTrainingQueue> logger) : IModelTrainingQueue
{
    public Task EnqueueAsync(Guid projectId, Guid runId, CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new TrainProjectModel(projectId, runId));
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Model training of project {ProjectId} failed", projectId);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Every Model:RetrainHours (default 6), queues a training run for each project whose confident
/// labels allow one and grew by Model:RetrainGrowth (20 %) since its latest model version (or that
/// has none), unless one is already queued or running. Clustered: one node runs each fire.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetrainModelsJob(IDocumentStore store, IModelTrainingQueue queue, IOptions<ModelOptions> options, TimeProvider clock) : IJob
{
    public const string Name = "retrain-models";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var projects = await session.Query<Project>().ToListAsync(cancellationToken);
        foreach (var project in projects)
        {
            var labels = await ModelLabels.LoadAsync(session, project, cancellationToken);
            var enough = labels.Count >= options.Value.MinLabels && labels.PerClass.Count(c => c.Value >= options.Value.MinPerClass) >= 2;
            if (!enough || await RequestModelTrainingHandler.ActiveRunAsync(session, project.Id, clock.GetUtcNow(), cancellationToken) is not null)
            {
                continue;
            }

            var latest = await session.Query<ModelVersion>().Where(v => v.ProjectId == project.Id)
                .OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancellationToken);
            if (latest is not null && labels.Count < latest.LabelledItems * (1 + options.Value.RetrainGrowth))
            {
                continue;
            }

            var now = clock.GetUtcNow();
            var run = new ModelTrainingRun
            {
                Id = Guid.CreateVersion7(), ProjectId = project.Id, State = ModelTrainingState.Queued, Stage = "queued",
                RequestedAt = now, UpdatedAt = now, Message = "scheduled",
            };
            session.Store(run);
            await session.SaveChangesAsync(cancellationToken);
            await queue.EnqueueAsync(project.Id, run.Id, cancellationToken);
        }
    }
}
