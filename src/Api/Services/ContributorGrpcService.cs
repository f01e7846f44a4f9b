using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Mediator;

namespace CoConstruisons.Api.Services;

public sealed class ContributorGrpcService(IMediator mediator) : ContributorService.ContributorServiceBase
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
        };
        result.Choices.AddRange(s.Choices.Select(ContractMapping.ToContract));
        return result;
    }

    public override async Task<StartWebSessionResponse> StartWebSession(StartWebSessionRequest request, ServerCallContext context)
    {
        var started = await mediator.Send(
            new StartWebSession(Ids.Parse(request.ProjectId, "project_id"), request.ConsentAccepted, request.ConsentVersion),
            context.CancellationToken);
        return new StartWebSessionResponse { SessionToken = started.Token, ExpiresAtUnix = started.ExpiresAt.ToUnixTimeSeconds() };
    }
}
