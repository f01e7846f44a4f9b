using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Images.OpenSolarMapImport;
using CoConstruisons.Application.Images.TileImportJobs;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Mediator;

namespace CoConstruisons.Api.Services;

/// <summary>Background imports: start a tile import, follow its progress (owners only).</summary>
public sealed class ImportGrpcService(IMediator mediator, CallerContext caller) : ImportService.ImportServiceBase
{
    public override async Task<ImportJob> StartTileImport(StartTileImportRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var job = await mediator.Send(
            new StartTileImport(
                owner,
                Ids.Parse(request.ProjectId, "project_id"),
                request.GeojsonName,
                request.Geojson.ToByteArray(),
                request.TileUrlTemplate,
                request.Zoom,
                request.HasMarginPixels ? request.MarginPixels : 16),
            context.CancellationToken);
        return ToContract(job);
    }

    public override async Task<ImportJob> StartOpenSolarMapImport(StartOpenSolarMapImportRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var job = await mediator.Send(
            new StartOpenSolarMapImport(
                owner,
                request.ProjectTitle,
                request.ImagesName,
                request.ImagesZip.ToByteArray(),
                request.ContributionsCsv.ToByteArray(),
                request.BuildingsCsv.IsEmpty ? null : request.BuildingsCsv.ToByteArray()),
            context.CancellationToken);
        return ToContract(job);
    }

    public override async Task<ImportJob> GetImportJob(GetImportJobRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        return ToContract(await mediator.Send(new GetTileImportJob(owner, Ids.Parse(request.JobId, "job_id")), context.CancellationToken));
    }

    public override async Task<ListImportJobsResponse> ListImportJobs(ListImportJobsRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var jobs = await mediator.Send(
            new ListTileImportJobs(owner, Ids.Parse(request.ProjectId, "project_id"), request.Limit, request.HasKind ? FromContract(request.Kind) : null),
            context.CancellationToken);
        var response = new ListImportJobsResponse();
        response.Jobs.AddRange(jobs.Select(ToContract));
        return response;
    }

    /// <summary>The contract's kind as the application's; a number the contract does not know is passed on as is, and the query's validator refuses it.</summary>
    public static Application.Images.TileImportJobs.ImportKind FromContract(Contracts.V1.ImportKind kind) => kind switch
    {
        Contracts.V1.ImportKind.Tiles => Application.Images.TileImportJobs.ImportKind.Tiles,
        Contracts.V1.ImportKind.Opensolarmap => Application.Images.TileImportJobs.ImportKind.OpenSolarMap,
        _ => (Application.Images.TileImportJobs.ImportKind)(int)kind,
    };

    public static ImportJob ToContract(TileImportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var contract = new ImportJob
        {
            Id = job.Id.ToString(),
            ProjectId = job.ProjectId.ToString(),
            State = job.State switch
            {
                TileImportState.Queued => ImportJobState.Queued,
                TileImportState.Running => ImportJobState.Running,
                TileImportState.Done => ImportJobState.Done,
                TileImportState.Failed => ImportJobState.Failed,
                _ => ImportJobState.Unspecified,
            },
            Kind = job.Kind == Application.Images.TileImportJobs.ImportKind.OpenSolarMap ? Contracts.V1.ImportKind.Opensolarmap : Contracts.V1.ImportKind.Tiles,
            GeojsonName = job.Kind == Application.Images.TileImportJobs.ImportKind.OpenSolarMap ? "" : job.GeoJsonName,
            ProjectTitle = job.Kind == Application.Images.TileImportJobs.ImportKind.OpenSolarMap ? job.GeoJsonName : "",
            TileUrlTemplate = job.TileUrlTemplate,
            Zoom = job.Zoom,
            MarginPixels = job.MarginPixels,
            Features = job.Features,
            Processed = job.Processed,
            ItemsAdded = job.Added,
            Duplicates = job.Duplicates,
            Rejected = job.Rejected,
            BadFeatures = job.BadFeatures,
            TilesDownloaded = job.TilesDownloaded,
            Error = job.Error ?? "",
            CreatedAtUnix = job.CreatedAt.ToUnixTimeSeconds(),
            StartedAtUnix = job.StartedAt?.ToUnixTimeSeconds() ?? 0,
            FinishedAtUnix = job.FinishedAt?.ToUnixTimeSeconds() ?? 0,
        };
        if (job.OpenSolarMapReport is { } r)
        {
            contract.Opensolarmap = new OpenSolarMapReport
            {
                ProjectCreated = r.ProjectCreated,
                ImagesFound = r.ImagesFound,
                ItemsImported = r.ItemsImported,
                ItemsAlreadyPresent = r.ItemsAlreadyPresent,
                AnswersImported = r.AnswersImported,
                AnswersAlreadyPresent = r.AnswersAlreadyPresent,
                ItemsRetiredByRefit = r.ItemsRetired,
                ContributorsCreated = r.ContributorsCreated,
                ImagesWithoutAnswers = r.ImagesWithoutAnswers,
                ImagesUnreadable = r.ImagesUnreadable,
                ImagesWithoutFootprint = r.ImagesWithoutFootprint,
                ImagesDuplicateContent = r.ImagesDuplicateContent,
                AnswersOnMissingImages = r.AnswersOnMissingImages,
                AnswersRepeatedSameContributor = r.AnswersRepeated,
                RowsUnusable = r.BadRows.Count,
            };
            contract.Opensolarmap.Examples.AddRange(r.BadRows.Take(20).Select(b => $"{b.File}:{b.Line}: {b.Reason}").Concat(r.Examples.Take(20)));
        }

        contract.DuplicateList.AddRange(job.DuplicateList.Select(p => new CoConstruisons.Contracts.V1.ImportProblem { Name = p.Name, Reason = p.Reason }));
        contract.RejectedList.AddRange(job.RejectedList.Select(p => new CoConstruisons.Contracts.V1.ImportProblem { Name = p.Name, Reason = p.Reason }));
        contract.BadFeatureList.AddRange(job.BadFeatureList.Select(p => new CoConstruisons.Contracts.V1.ImportProblem { Name = p.Name, Reason = p.Reason, Feature = p.Feature }));
        return contract;
    }
}
