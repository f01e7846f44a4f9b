using CoConstruisons.Contracts.V1;
using Grpc.Core;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>The owner's participation chart: answers and contributors per day, over real gRPC and PostgreSQL.</summary>
[Collection(nameof(ApiCollection))]
public sealed class ProjectActivityTests(ApiFixture api)
{
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);

    private async Task Answer(Guid project, ContributorIdentity who)
    {
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who });
        await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
            Choice = "flat", IdempotencyKey = Guid.NewGuid().ToString(),
        });
    }

    [Fact]
    public async Task The_owner_sees_todays_answers_and_contributors_and_nobody_else_sees_them()
    {
        var project = await api.ProjectWithImages(images: 4, maxAnswers: 3);
        var request = new GetProjectActivityRequest { ProjectId = project.ToString() };
        Assert.Empty((await _projects.GetProjectActivityAsync(request, await api.OwnerHeaders())).Periods);

        var ana = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        var bo = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        await Answer(project, ana);
        await Answer(project, ana);
        await Answer(project, bo);

        var activity = await _projects.GetProjectActivityAsync(request, await api.OwnerHeaders());
        Assert.False(activity.Monthly);
        var today = Assert.Single(activity.Periods);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), today.Period);
        Assert.Equal(3, today.Answers);
        Assert.Equal(2, today.Contributors);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => _projects.GetProjectActivityAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }
}
