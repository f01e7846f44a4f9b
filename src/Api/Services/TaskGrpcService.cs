using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Tasks;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Mediator;
using ContributorStats = CoConstruisons.Contracts.V1.ContributorStats;


namespace CoConstruisons.Api.Services;

/// <summary>The one task service every channel calls. Thin: identity from the call, then the use case.</summary>
public sealed class TaskGrpcService(IMediator mediator, CallerContext caller, PublicUrls urls) : TaskService.TaskServiceBase
{
    public override async Task<NextTaskResponse> NextTask(NextTaskRequest request, ServerCallContext context)
    {
        var result = await mediator.Send(
            new NextTask(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context)),
            context.CancellationToken);
        return ToContract(result);
    }

    public override async Task<SubmitAnswerResponse> SubmitAnswer(SubmitAnswerRequest request, ServerCallContext context)
    {
        var result = await mediator.Send(
            new SubmitAnswer(
                Ids.Parse(request.ProjectId, "project_id"),
                caller.Contributor(request.Contributor, context),
                request.ReservationToken,
                request.Choice,
                request.TimeTakenMs,
                request.IdempotencyKey,
                AndNext: request.Next),
            context.CancellationToken);
        return new SubmitAnswerResponse
        {
            AnswerId = result.AnswerId.ToString(),
            Duplicate = result.Duplicate,
            Feedback = result.Feedback,
            Stats = ContractMapping.ToContract(result.Stats),
            Next = result.Next is { } next ? ToContract(next) : null,
        };
    }

    private NextTaskResponse ToContract(NextTaskResult result)
    {
        var response = new NextTaskResponse
        {
            Stats = ContractMapping.ToContract(result.Stats),
            RetryAfterSeconds = (int)Math.Ceiling(result.RetryAfter.TotalSeconds),
        };
        if (result.Task is { } offered)
        {
            var settings = offered.Project.Settings;
            var task = new LabellingTask
            {
                ItemId = offered.ItemId.ToString(),
                ImageUrl = ImageUrls.Original(urls.BaseUrl, offered.ItemId),
                Question = settings.Question,
                AllowDontKnow = settings.AllowDontKnow,
                Instructions = settings.Instructions,
                ReservationToken = offered.ReservationToken,
                ReservedUntilUnix = offered.ReservedUntil.ToUnixTimeSeconds(),
            };
            task.Choices.AddRange(settings.Choices.Select(ContractMapping.ToContract));
            response.Task = task;
        }

        return response;
    }

    public override async Task<SkipResponse> Skip(SkipRequest request, ServerCallContext context)
    {
        await mediator.Send(
            new Skip(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context), request.ReservationToken),
            context.CancellationToken);
        return new SkipResponse();
    }

    public override async Task<ContributorStats> GetMyStats(GetMyStatsRequest request, ServerCallContext context)
    {
        var stats = await mediator.Send(
            new GetMyStats(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context)),
            context.CancellationToken);
        return ContractMapping.ToContract(stats);
    }
}
