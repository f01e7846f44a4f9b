using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Projects.AddCoOwner;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Application.Projects.ExportProject;
using CoConstruisons.Application.Projects.GetProject;
using CoConstruisons.Application.Projects.ListItems;
using CoConstruisons.Application.Projects.ListProjects;
using CoConstruisons.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Mediator;
using AppExportFormat = CoConstruisons.Application.Projects.ExportProject.ExportFormat;
using ExportFormat = CoConstruisons.Contracts.V1.ExportFormat;

namespace CoConstruisons.Api.Services;

public sealed class ProjectGrpcService(IMediator mediator, CallerContext caller, PublicUrls urls) : ProjectService.ProjectServiceBase
{
    public override async Task<Project> CreateProject(CreateProjectRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var summary = await mediator.Send(new CreateProject(owner, ContractMapping.ToDomain(request.Settings)), context.CancellationToken);
        return ContractMapping.ToContract(summary);
    }

    public override async Task<ListProjectsResponse> ListProjects(ListProjectsRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var projects = await mediator.Send(new ListProjects(owner), context.CancellationToken);
        var response = new ListProjectsResponse();
        response.Projects.AddRange(projects.Select(ContractMapping.ToContract));
        return response;
    }

    public override async Task<Project> GetProject(GetProjectRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var summary = await mediator.Send(new GetProject(owner, Ids.Parse(request.ProjectId, "project_id")), context.CancellationToken);
        return ContractMapping.ToContract(summary);
    }

    public override async Task<ProjectActivity> GetProjectActivity(GetProjectActivityRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var activity = await mediator.Send(new Application.Projects.GetProjectActivity.GetProjectActivity(owner, Ids.Parse(request.ProjectId, "project_id")), context.CancellationToken);
        var response = new ProjectActivity { Monthly = activity.Monthly };
        response.Periods.AddRange(activity.Periods.Select(p => new ActivityPeriod { Period = p.Period, Answers = p.Answers, Contributors = p.Contributors }));
        return response;
    }

    public override async Task<ListItemsResponse> ListItems(ListItemsRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var page = await mediator.Send(
            new ListItems(owner, Ids.Parse(request.ProjectId, "project_id"), request.Page, request.PageSize), context.CancellationToken);
        var response = new ListItemsResponse { Total = page.Total };
        response.Items.AddRange(page.Items.Select(i => ContractMapping.ToContract(i, urls.BaseUrl)));
        return response;
    }

    public override async Task<Project> AddCoOwner(AddCoOwnerRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var summary = await mediator.Send(new AddCoOwner(owner, Ids.Parse(request.ProjectId, "project_id"), request.Email), context.CancellationToken);
        return ContractMapping.ToContract(summary);
    }

    public override async Task<ExportProjectResponse> ExportProject(ExportProjectRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var format = request.Format switch
        {
            ExportFormat.Json => AppExportFormat.Json,
            ExportFormat.Geojson => AppExportFormat.GeoJson,
            _ => AppExportFormat.Csv,
        };
        var file = await mediator.Send(new ExportProject(owner, Ids.Parse(request.ProjectId, "project_id"), format), context.CancellationToken);
        return new ExportProjectResponse { FileName = file.FileName, ContentType = file.ContentType, Content = ByteString.CopyFrom(file.Content) };
    }

    public override async Task<RefitConsensusResponse> RefitConsensus(RefitConsensusRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var result = await mediator.Send(
            new CoConstruisons.Application.Consensus.RefitConsensus(Ids.Parse(request.ProjectId, "project_id"), owner), context.CancellationToken);
        return new RefitConsensusResponse
        {
            FitId = result.FitId.ToString(),
            Answers = result.Answers,
            Contributors = result.Contributors,
            ChangedItems = result.ChangedItems,
            RetiredItems = result.RetiredItems,
        };
    }
}
