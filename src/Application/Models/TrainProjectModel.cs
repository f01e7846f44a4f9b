using System.Diagnostics;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Models;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Models;

/// <summary>
/// Trains a new model version of a project now, on its confident labels only (<see cref="ModelLabels"/>),
/// then predicts every item: the Quartz job runs it for queued runs (<see cref="RequestModelTraining"/>).
/// Steps: refuse with counts when there are too few labels; train and measure on a hashed held-out
/// split (files under the model store, <see cref="ModelVersion"/> document, <see cref="ModelTrained"/>
/// on the project stream); an <see cref="ItemPredicted"/> per item (its uncertainty steers the
/// assignment order); an <see cref="ItemMachineLabelled"/> per open item whose calibrated confidence
/// reaches the threshold chosen for the owner's target precision.
/// </summary>
/// <param name="RunId">The queued run to report progress on; a new run is recorded when null.</param>
public sealed record TrainProjectModel(Guid ProjectId, Guid? RunId = null, Guid? OwnerId = null) : ICommand<TrainProjectModelResult>;

public sealed record TrainProjectModelResult(ModelVersion Model, Guid RunId);

public sealed class TrainProjectModelHandler(
    IDocumentStore store,
    IImageClassifierTrainer trainer,
    IModelFileStore files,
    IOptions<ModelOptions> options,
    TimeProvider clock) : ICommandHandler<TrainProjectModel, TrainProjectModelResult>
{
    public async ValueTask<TrainProjectModelResult> Handle(TrainProjectModel command, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var tracker = await ModelRunTracker.StartAsync(store, clock, command.ProjectId, command.RunId, cancellationToken);
        try
        {
            await using var session = store.LightweightSession();
            var project = command.OwnerId is { } owner
                ? await session.LoadOwnedAsync(command.ProjectId, owner, cancellationToken)
                : await session.LoadPublicAsync(command.ProjectId, cancellationToken);
            tracker.Report("labels", 0, 1);
            var labels = await ModelLabels.LoadAsync(session, project, cancellationToken);
            ModelLabels.EnsureEnough(labels, settings);

            var number = await session.Query<ModelVersion>().Where(v => v.ProjectId == project.Id).CountAsync(cancellationToken) + 1;
            var version = $"v{number}";
            var directory = files.DirectoryFor(project.Id, version);
            ClassifierTrainingReport report;
            try
            {
                var request = new ClassifierTrainingRequest(labels.Examples, project.Settings.AutoLabelPrecision, directory, version, settings.Iterations, settings.Kind, settings.Epochs, settings.ThresholdConfidenceZ);
                report = await Task.Run(() => trainer.Train(request, tracker, cancellationToken), cancellationToken);
            }
            catch (ArgumentException ex)
            {
                throw new RuleViolationException(ex.Message);
            }

            var model = new ModelVersion
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Number = number,
                Version = version,
                TrainedAt = clock.GetUtcNow(),
                Method = report.Method,
                Split = report.Split,
                Classes = [.. report.Classes],
                LabelledItems = labels.Count,
                GoldItems = labels.Gold,
                TrainingItems = report.TrainingItems,
                CalibrationItems = report.CalibrationItems,
                TestItems = report.TestItems,
                Accuracy = report.Accuracy,
                PerClass = report.PerClass.ToDictionary(StringComparer.Ordinal),
                Confusion = report.Confusion,
                CalibrationError = report.CalibrationError,
                LogLoss = report.LogLoss,
                Temperature = report.Temperature,
                TargetPrecision = project.Settings.AutoLabelPrecision,
                Threshold = report.Threshold,
                AutoLabelCoverage = report.AutoLabelCoverage,
                AutoLabelPrecision = report.AutoLabelPrecision,
                TrainSeconds = Math.Round(report.TrainSeconds, 2),
            };
            session.Store(model);
            session.Events.Append(project.Id, new ModelTrained(
                project.Id, model.Id, version, labels.Count, report.TrainingItems, report.TestItems, report.Accuracy,
                report.CalibrationError, model.TargetPrecision, report.Threshold, model.TrainedAt));
            await session.SaveChangesAsync(cancellationToken);

            await PredictAsync(model, directory, report.TrainingItemIds, ClassShares(labels.Examples, report.TrainingItemIds), tracker, cancellationToken);
            await using (var final = store.LightweightSession())
            {
                final.Store(model);
                await final.SaveChangesAsync(cancellationToken);
            }

            await tracker.CompleteAsync(model, cancellationToken);
            return new TrainProjectModelResult(model, tracker.RunId);
        }
        catch (Exception ex)
        {
            await tracker.FailAsync(ex switch
            {
                OperationCanceledException => Texts.T(
                    "Entraînement interrompu : le serveur s'est arrêté pendant l'entraînement. Relancez-le.",
                    "Training interrupted: the server stopped while training. Start it again."),
                RuleViolationException or ModelFileException or NotFoundException => ex.Message,
                _ => Texts.T("Erreur inattendue pendant l'entraînement : ", "Unexpected error while training: ") + ex.Message,
            });
            throw;
        }
    }

    /// <summary>
    /// Each class's share of the labels the model was fitted on (all examples when the trainer
    /// reports no training ids): dividing the calibrated probabilities by them gives the likelihood
    /// the consensus prior uses (<see cref="Domain.Models.ModelPrior"/>).
    /// </summary>
    internal static Dictionary<string, double> ClassShares(IReadOnlyList<TrainingExample> examples, IReadOnlySet<Guid> trainingItems)
    {
        var fitted = examples.Where(e => trainingItems.Contains(e.ItemId)).ToList();
        if (fitted.Count == 0)
        {
            fitted = [.. examples];
        }

        return fitted.GroupBy(e => e.Label, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Math.Round((double)g.Count() / fitted.Count, 6), StringComparer.Ordinal);
    }

    /// <summary>
    /// Predicts every item of the project with the saved model (loading it from its files checks
    /// them), in batches; each batch's events are one transaction, retried on a concurrency
    /// conflict with an answer arriving on the same item.
    /// </summary>
    private async Task PredictAsync(ModelVersion model, string directory, IReadOnlySet<Guid> trainingItems, Dictionary<string, double> classShares, ModelRunTracker tracker, CancellationToken ct)
    {
        var classifier = trainer.Load(directory);
        List<ItemRow> items;
        await using (var query = store.QuerySession())
        {
            items = (await query.Query<Item>().Where(i => i.ProjectId == model.ProjectId)
                    .Select(i => new ItemRow(i.Id, i.ContentHash))
                    .ToListAsync(ct))
                .OrderBy(i => i.Id)
                .ToList();
        }

        var batchSize = Math.Max(1, options.Value.PredictionBatch);
        tracker.Report("predictions", 0, items.Count);
        for (var start = 0; start < items.Count; start += batchSize)
        {
            var batch = items.GetRange(start, Math.Min(batchSize, items.Count - start));
            var probabilities = await Task.Run(() => classifier.Predict(batch.Select(i => i.ContentHash).ToList(), ct), ct);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var (predicted, labelled) = await AppendBatchAsync(model, classifier.Classes, batch, probabilities, trainingItems, classShares, ct);
                    model.Predicted += predicted;
                    model.MachineLabelled += labelled;
                    model.Unreadable += batch.Count - predicted;
                    break;
                }
                catch (Exception ex) when (attempt < 4 && ConcurrencyConflicts.IsConflict(ex))
                {
                    // An answer on one of these items committed first: read their state again.
                }
            }

            tracker.Report("predictions", start + batch.Count, items.Count);
        }
    }

    private async Task<(int Predicted, int Labelled)> AppendBatchAsync(
        ModelVersion model, IReadOnlyList<string> classes, List<ItemRow> batch, IReadOnlyList<float[]?> probabilities, IReadOnlySet<Guid> trainingItems, Dictionary<string, double> classShares, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var ids = batch.Select(i => i.Id).ToList();
        var progress = (await session.Query<ItemProgress>().Where(p => ids.Contains(p.Id)).ToListAsync(ct)).ToDictionary(p => p.Id);
        var now = clock.GetUtcNow();
        int predicted = 0, labelled = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var p = probabilities[i];
            if (p is null || !progress.TryGetValue(batch[i].Id, out var state))
            {
                continue;
            }

            var best = 0;
            for (var c = 1; c < p.Length; c++)
            {
                if (p[c] > p[best])
                {
                    best = c;
                }
            }

            var inTraining = trainingItems.Contains(batch[i].Id);
            var confidence = Math.Round(p[best], 6);
            var distribution = classes.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => Math.Round(p[x.k], 6), StringComparer.Ordinal);
            session.Events.Append(batch[i].Id, new ItemPredicted(
                batch[i].Id, model.ProjectId, model.Id, model.Version, classes[best], confidence, distribution, inTraining, now, classShares));
            predicted++;
            if (!inTraining && !state.Retired && !state.IsGold && state.MachineLabel is null && confidence >= model.Threshold)
            {
                session.Events.Append(batch[i].Id, new ItemMachineLabelled(
                    batch[i].Id, model.ProjectId, model.Id, model.Version, classes[best], confidence, model.Threshold, model.TargetPrecision, now));
                labelled++;
            }
        }

        await session.SaveChangesAsync(ct);
        return (predicted, labelled);
    }

    private sealed record ItemRow(Guid Id, string ContentHash);
}

/// <summary>
/// Keeps a <see cref="ModelTrainingRun"/> document up to date while a run works: progress reported
/// from the training threads is written at most once a second by a background loop, and the run is
/// written at least every <see cref="ModelTrainingRun.Heartbeat"/> (a heartbeat: a run silent for long
/// lost its process, <see cref="ModelTrainingRun.IsLost"/>).
/// </summary>
internal sealed class ModelRunTracker : IProgress<TrainingProgress>, IAsyncDisposable
{
    private readonly IDocumentStore _store;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private TrainingProgress? _pending;
    private DateTimeOffset _lastWrite;

    private ModelRunTracker(IDocumentStore store, TimeProvider clock, Guid runId)
    {
        _store = store;
        _clock = clock;
        _lastWrite = clock.GetUtcNow();
        RunId = runId;
        _loop = Task.Run(FlushLoopAsync);
    }

    public Guid RunId { get; }

    public static async Task<ModelRunTracker> StartAsync(IDocumentStore store, TimeProvider clock, Guid projectId, Guid? runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using (var session = store.LightweightSession())
        {
            var run = runId is { } id ? await session.LoadAsync<ModelTrainingRun>(id, ct) : null;
            run ??= new ModelTrainingRun { Id = runId ?? Guid.CreateVersion7(), ProjectId = projectId, RequestedAt = now };
            run.State = ModelTrainingState.Running;
            run.StartedAt = now;
            run.UpdatedAt = now;
            run.Stage = "labels";
            run.Message = "";
            session.Store(run);
            await session.SaveChangesAsync(ct);
            return new ModelRunTracker(store, clock, run.Id);
        }
    }

    public void Report(TrainingProgress value)
    {
        lock (_gate)
        {
            _pending = value;
        }
    }

    public void Report(string stage, int done, int total) => Report(new TrainingProgress(stage, done, total));

    public Task CompleteAsync(ModelVersion model, CancellationToken ct) => FinishAsync(run =>
    {
        run.State = ModelTrainingState.Done;
        run.ModelId = model.Id;
        run.Version = model.Version;
        run.Stage = "done";
        run.Done = run.Total = 1;
        run.Message = Texts.T(
            $"{model.Version} : exactitude {model.Accuracy:0.###}, {model.Predicted} prédictions, {model.MachineLabelled} étiquettes automatiques.",
            $"{model.Version}: accuracy {model.Accuracy:0.###}, {model.Predicted} predictions, {model.MachineLabelled} machine labels.");
    }, ct);

    public Task FailAsync(string message) => FinishAsync(run =>
    {
        run.State = ModelTrainingState.Failed;
        run.Message = message;
    }, CancellationToken.None);

    private async Task FinishAsync(Action<ModelTrainingRun> change, CancellationToken ct)
    {
        await _stop.CancelAsync();
        await _loop;
        await using var session = _store.LightweightSession();
        var run = await session.LoadAsync<ModelTrainingRun>(RunId, ct);
        if (run is null)
        {
            return;
        }

        change(run);
        run.FinishedAt = run.UpdatedAt = _clock.GetUtcNow();
        session.Store(run);
        await session.SaveChangesAsync(ct);
    }

    private async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await FlushAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        TrainingProgress? value;
        lock (_gate)
        {
            value = _pending;
            _pending = null;
        }

        var now = _clock.GetUtcNow();
        if (value is null && now - _lastWrite < ModelTrainingRun.Heartbeat)
        {
            return;
        }

        await using var session = _store.LightweightSession();
        var run = await session.LoadAsync<ModelTrainingRun>(RunId, ct);
        if (run is null || run.State != ModelTrainingState.Running)
        {
            return;
        }

        if (value is not null)
        {
            run.Stage = value.Stage;
            run.Done = value.Done;
            run.Total = value.Total;
        }

        run.UpdatedAt = now;
        _lastWrite = now;
        session.Store(run);
        await session.SaveChangesAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
        _stop.Dispose();
    }
}
