using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Models;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Mediator;
using AppModelVersion = CoConstruisons.Application.Models.ModelVersion;
using ContractModelVersion = CoConstruisons.Contracts.V1.ModelVersion;
using ContractTrainingState = CoConstruisons.Contracts.V1.ModelTrainingState;
using ModelOverview = CoConstruisons.Contracts.V1.ModelOverview;

namespace CoConstruisons.Api.Services;

public sealed class ModelGrpcService(IMediator mediator, CallerContext caller) : ModelService.ModelServiceBase
{
    public override async Task<ModelTraining> TrainModel(TrainModelRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var run = await mediator.Send(new RequestModelTraining(owner, Ids.Parse(request.ProjectId, "project_id")), context.CancellationToken);
        return ToContract(run);
    }

    public override async Task<ModelOverview> GetModelOverview(GetModelOverviewRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var id = Ids.Parse(request.ProjectId, "project_id");
        return ToContract(id, await mediator.Send(new GetModelOverview(owner, id), context.CancellationToken));
    }

    public override async Task<ModelOverview> SetAutoLabelPrecision(SetAutoLabelPrecisionRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var id = Ids.Parse(request.ProjectId, "project_id");
        return ToContract(id, await mediator.Send(new SetAutoLabelPrecision(owner, id, request.Precision), context.CancellationToken));
    }

    public override async Task<ModelOverview> SetModelPriorWeight(SetModelPriorWeightRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var id = Ids.Parse(request.ProjectId, "project_id");
        return ToContract(id, await mediator.Send(new SetModelPriorWeight(owner, id, request.Weight), context.CancellationToken));
    }

    public static ModelTraining ToContract(ModelTrainingRun run) => new()
    {
        Id = run.Id.ToString(),
        State = run.State switch
        {
            Application.Models.ModelTrainingState.Queued => ContractTrainingState.Queued,
            Application.Models.ModelTrainingState.Running => ContractTrainingState.Running,
            Application.Models.ModelTrainingState.Done => ContractTrainingState.Done,
            _ => ContractTrainingState.Failed,
        },
        Stage = run.Stage,
        Done = run.Done,
        Total = run.Total,
        Message = run.Message,
        RequestedAtUnix = run.RequestedAt.ToUnixTimeSeconds(),
        UpdatedAtUnix = run.UpdatedAt.ToUnixTimeSeconds(),
        Version = run.Version ?? "",
    };

    public static ModelOverview ToContract(Guid projectId, Application.Models.ModelOverview overview)
    {
        var result = new ModelOverview
        {
            ConfidentLabels = overview.ConfidentLabels,
            MinLabels = overview.MinLabels,
            AutoLabelPrecision = overview.AutoLabelPrecision,
            ModelPriorWeight = overview.ModelPriorWeight,
        };
        if (overview.LatestRun is { } run)
        {
            result.LatestTraining = ToContract(run);
        }

        result.LabelsPerClass.Add(overview.LabelsPerClass.ToDictionary(c => c.Key, c => c.Value));
        result.Versions.AddRange(overview.Versions.Select(v => ToContract(projectId, v)));
        return result;
    }

    public static ContractModelVersion ToContract(Guid projectId, AppModelVersion v)
    {
        var result = new ContractModelVersion
        {
            Id = v.Id.ToString(),
            Version = v.Version,
            TrainedAtUnix = v.TrainedAt.ToUnixTimeSeconds(),
            LabelledItems = v.LabelledItems,
            TrainingItems = v.TrainingItems,
            CalibrationItems = v.CalibrationItems,
            TestItems = v.TestItems,
            Accuracy = v.Accuracy,
            CalibrationError = v.CalibrationError,
            LogLoss = v.LogLoss,
            TargetPrecision = v.TargetPrecision,
            Threshold = v.Threshold,
            AutoLabelCoverage = v.AutoLabelCoverage,
            AutoLabelPrecision = v.AutoLabelPrecision,
            Predicted = v.Predicted,
            MachineLabelled = v.MachineLabelled,
            TrainSeconds = v.TrainSeconds,
            DownloadPath = $"/api/projects/{projectId}/models/{v.Version}/download",
            Method = v.Method,
        };
        result.Classes.AddRange(v.Classes);
        result.PerClass.AddRange(v.Classes.Where(v.PerClass.ContainsKey).Select(c => new ClassMetrics
        {
            Label = c,
            Precision = v.PerClass[c].Precision,
            Recall = v.PerClass[c].Recall,
            Support = v.PerClass[c].Support,
        }));
        foreach (var row in v.Confusion)
        {
            var contract = new ConfusionRow();
            contract.Counts.AddRange(row);
            result.Confusion.Add(contract);
        }

        return result;
    }
}
