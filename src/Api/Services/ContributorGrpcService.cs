using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Mediator;

namespace CoConstruisons.Api.Services;

public sealed class ContributorGrpcService(IMediator mediator, CallerContext caller, PublicUrls urls) : ContributorService.ContributorServiceBase
{
    public override async Task<PublicProject> GetPublicProject(GetPublicProjectRequest request, ServerCallContext context)
    {
        var project = await mediator.Send(new GetPublicProject(Ids.Parse(request.ProjectId, "project_id")), context.CancellationToken);
        var s = project.Settings;
        var result = new PublicProject
        {
            Id = project.Id.ToString(),
            Title = s.Title,
            Description = s.Description,
            Question = s.Question,
            AllowDontKnow = s.AllowDontKnow,
            Instructions = s.Instructions,
            Language = s.Language,
        };
        result.Choices.AddRange(s.Choices.Select(ContractMapping.ToContract));
        return result;
    }

    public override async Task<StartWebSessionResponse> StartWebSession(StartWebSessionRequest request, ServerCallContext context)
    {
        var started = await mediator.Send(
            new StartWebSession(Ids.Parse(request.ProjectId, "project_id"), request.ConsentAccepted, request.ConsentVersion, request.LinkToken),
            context.CancellationToken);
        return new StartWebSessionResponse { SessionToken = started.Token, ExpiresAtUnix = started.ExpiresAt.ToUnixTimeSeconds() };
    }

    public override async Task<CreateIdentityLinkResponse> CreateIdentityLink(CreateIdentityLinkRequest request, ServerCallContext context)
    {
        var projectId = Ids.Parse(request.ProjectId, "project_id");
        var link = await mediator.Send(new CreateIdentityLink(projectId, caller.Contributor(request.Contributor, context)), context.CancellationToken);
        return new CreateIdentityLinkResponse
        {
            LinkToken = link.Token,
            Url = $"{urls.BaseUrl}/#/label/{projectId}?link={Uri.EscapeDataString(link.Token)}",
            ExpiresAtUnix = link.ExpiresAt.ToUnixTimeSeconds(),
        };
    }

    public override async Task<ExportMyDataResponse> ExportMyData(ExportMyDataRequest request, ServerCallContext context)
    {
        var export = await mediator.Send(
            new ExportMyData(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context)), context.CancellationToken);
        var records = new System.Text.Json.Nodes.JsonArray();
        foreach (var r in export.Records)
        {
            records.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["kind"] = r.Kind,
                ["type"] = r.Type,
                ["at"] = r.At?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["data"] = System.Text.Json.Nodes.JsonNode.Parse(r.Json),
            });
        }

        var answers = new System.Text.Json.Nodes.JsonArray();
        foreach (var a in export.AnswersInWords)
        {
            answers.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["project"] = a.Project,
                ["image"] = a.Image,
                ["answer"] = a.Answer,
                ["answered_at"] = a.AnsweredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["contributor"] = export.ContributorId,
            ["exported_at"] = export.ExportedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            // First what a person reads, then every record the platform holds under the pseudonym.
            ["answers"] = answers,
            ["records"] = records,
        };
        return new ExportMyDataResponse
        {
            // Relaxed escaping: dates keep their "+00:00" and accented text stays readable (it is a file, not HTML).
            Json = json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
            Answers = export.Answers,
            Records = export.Records.Count,
        };
    }

    public override async Task<EraseMyDataResponse> EraseMyData(EraseMyDataRequest request, ServerCallContext context)
    {
        var report = await mediator.Send(
            new EraseMyData(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context), request.Confirmed), context.CancellationToken);
        return new EraseMyDataResponse
        {
            AnswersAnonymised = report.AnswersAnonymised,
            RecordsAnonymised = report.RecordsAnonymised,
            RecordsDeleted = report.RecordsDeleted,
        };
    }
}
