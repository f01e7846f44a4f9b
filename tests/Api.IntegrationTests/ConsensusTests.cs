using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class ConsensusTests(ApiFixture api)
{
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);

    [Fact]
    public async Task A_refit_is_recorded_with_the_skills_it_estimated_and_labels_name_the_fit_that_produced_them()
    {
        var project = await api.ProjectWithImages(images: 3, maxAnswers: 6, minAnswers: 6);
        for (var person = 0; person < 4; person++)
        {
            var who = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
            for (var i = 0; i < 3; i++)
            {
                var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who });
                await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
                {
                    ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
                    Choice = person == 3 ? "other" : "flat", IdempotencyKey = Guid.NewGuid().ToString(),
                });
            }
        }

        var refit = await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = project.ToString() }, await api.OwnerHeaders());

        Assert.Equal(12, refit.Answers);
        Assert.Equal(4, refit.Contributors);
        await using var scope = api.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var recorded = Assert.Single(await session.Events.QueryRawEventDataOnly<ConsensusRefitted>().Where(e => e.ProjectId == project).ToListAsync());
        Assert.Equal(refit.FitId, recorded.FitId.ToString());
        Assert.Equal(4, recorded.ContributorAccuracy.Count);
        var items = await session.Query<ItemProgress>().Where(p => p.ProjectId == project).ToListAsync();
        Assert.All(items, i => Assert.Equal("flat", i.Label));
        Assert.All(items, i => Assert.True(i.Confidence > 0.9));
        Assert.Contains(items, i => i.FitId == recorded.FitId);
    }

    [Fact]
    public async Task Another_owner_cannot_refit_a_project_they_do_not_own()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _projects.RefitConsensusAsync(
            new RefitConsensusRequest { ProjectId = Guid.NewGuid().ToString() }, api.OwnerHeaders().Result).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
