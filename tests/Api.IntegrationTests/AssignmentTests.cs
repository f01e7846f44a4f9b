using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Contributions;
using Google.Rpc;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class AssignmentTests(ApiFixture api)
{
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);

    private async Task<IReadOnlyList<ItemProgress>> Progress(Guid project)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IQuerySession>().Query<ItemProgress>().Where(p => p.ProjectId == project).ToListAsync();
    }

    private Task<bool> LabelOne(Guid project, ContributorIdentity who, Func<LabellingTask, string> choose) =>
        LabelOne(_tasks, _tasks, project, who, choose);

    private static async Task<bool> LabelOne(
        TaskService.TaskServiceClient asking, TaskService.TaskServiceClient answering, Guid project, ContributorIdentity who, Func<LabellingTask, string> choose)
    {
        var tasks = asking;
        var next = await tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who });
        if (next.Task is null)
        {
            return false;
        }

        await answering.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
            Choice = choose(next.Task), IdempotencyKey = Guid.NewGuid().ToString(),
        });
        return true;
    }

    [Fact]
    public async Task Two_nodes_serving_one_project_at_once_never_collect_more_answers_than_an_item_may_take()
    {
        // Each node serves its waiting requests in groups (one read, one commit); a group whose
        // commit loses a race with the other node is served again one by one on fresh state.
        var (channel, node) = await api.StartSecondNode();
        await using var _ = node;
        using var __ = channel;
        var nodes = new[] { _tasks, new TaskService.TaskServiceClient(channel) };
        var project = await api.ProjectWithImages(images: 6, maxAnswers: 3, minAnswers: 3);
        var contributors = await Task.WhenAll(Enumerable.Range(0, 24).Select(async _ =>
            new ContributorIdentity { SessionToken = await api.NewWebSession(project) }));

        // Twenty-four people on two nodes (each call to either node at random); 18 answers are needed.
        var answered = await Task.WhenAll(contributors.Select(async who =>
        {
            var count = 0;
            while (await LabelOne(nodes[Random.Shared.Next(2)], nodes[Random.Shared.Next(2)], project, who, t => t.Choices[Random.Shared.Next(4)].Key))
            {
                count++;
            }

            return count;
        }));

        var progress = await Progress(project);
        Assert.All(progress, p => Assert.True(p.EvidenceCount <= 3, $"item {p.Id} got {p.EvidenceCount} answers"));
        Assert.Equal(18, answered.Sum());
        Assert.Equal(18, progress.Sum(p => p.EvidenceCount));
        Assert.All(progress, p => Assert.True(p.Retired));
    }

    [Fact]
    public async Task A_refused_answer_arriving_with_others_changes_nothing_for_them()
    {
        // Answers that arrive together are decided and committed together: a refused answer in the
        // group (a second answer on an image the contributor already answered: refused on the state
        // read by the group) is refused alone, the others are stored.
        var project = await api.ProjectWithImages(images: 12, maxAnswers: 3, minAnswers: 3);
        var contributors = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
            new ContributorIdentity { SessionToken = await api.NewWebSession(project) }));
        var offers = await Task.WhenAll(contributors.Select(async who =>
            (Who: who, Next: await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who }))));
        SubmitAnswerRequest Answer(int i) => new()
        {
            ProjectId = project.ToString(), Contributor = offers[i].Who, ReservationToken = offers[i].Next.Task.ReservationToken,
            Choice = offers[i].Next.Task.Choices[0].Key, IdempotencyKey = Guid.NewGuid().ToString(),
        };
        for (var i = 0; i < 12; i += 3)
        {
            await _tasks.SubmitAnswerAsync(Answer(i));
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            try
            {
                await _tasks.SubmitAnswerAsync(Answer(i));
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        }));

        Assert.Equal(4, outcomes.Count(s => s == StatusCode.FailedPrecondition));
        Assert.Equal(8, outcomes.Count(s => s == StatusCode.OK));
        Assert.Equal(12, (await Progress(project)).Sum(p => p.EvidenceCount));
    }

    [Fact]
    public async Task Many_contributors_at_once_never_collect_more_answers_than_an_item_may_take()
    {
        var project = await api.ProjectWithImages(images: 4, maxAnswers: 3, minAnswers: 3);
        var contributors = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            new ContributorIdentity { SessionToken = await api.NewWebSession(project) }));

        // Sixteen people want to answer at once; only twelve answers are needed (4 items × 3).
        var answered = await Task.WhenAll(contributors.Select(async who =>
        {
            var count = 0;
            while (await LabelOne(project, who, t => t.Choices[Random.Shared.Next(4)].Key))
            {
                count++;
            }

            return count;
        }));

        var progress = await Progress(project);
        Assert.All(progress, p => Assert.True(p.EvidenceCount <= 3, $"item {p.Id} got {p.EvidenceCount} answers"));
        Assert.Equal(12, answered.Sum());
        Assert.All(progress, p => Assert.True(p.Retired));
    }

    [Fact]
    public async Task An_item_retires_once_enough_people_agree_and_is_then_offered_to_nobody()
    {
        var project = await api.ProjectWithImages(images: 1, maxAnswers: 10, minAnswers: 2, confidenceTarget: 0.95);
        var first = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        var second = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        var third = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };

        Assert.True(await LabelOne(project, first, _ => "flat"));
        Assert.False((await Progress(project)).Single().Retired);
        Assert.True(await LabelOne(project, second, _ => "flat"));

        var item = (await Progress(project)).Single();
        Assert.True(item.Retired);
        Assert.Equal("flat", item.Label);
        Assert.Null((await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = third })).Task);
    }

    [Fact]
    public async Task When_every_image_closest_to_retirement_is_held_a_contributor_is_given_one_further_down()
    {
        // 24 images answered once (one slot left each: first in the order) and 6 never answered.
        var project = await api.ProjectWithImages(images: 30, maxAnswers: 2, minAnswers: 2);
        var first = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        for (var i = 0; i < 24; i++)
        {
            Assert.True(await LabelOne(project, first, _ => "flat"));
        }

        // 24 other people each hold one of those last slots and have not answered yet.
        for (var i = 0; i < 24; i++)
        {
            var holder = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
            var held = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = holder });
            Assert.Equal(1, (await Progress(project)).Single(p => p.Id == Guid.Parse(held.Task.ItemId)).EvidenceCount);
        }

        // The next person is given an image nobody answered yet, not told to come back later.
        var late = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = late });
        Assert.NotNull(next.Task);
        Assert.Equal(0, (await Progress(project)).Single(p => p.Id == Guid.Parse(next.Task.ItemId)).EvidenceCount);
    }

    [Fact]
    public async Task Dont_know_is_recorded_but_is_no_evidence()
    {
        var project = await api.ProjectWithImages(images: 1, maxAnswers: 2, minAnswers: 2);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await LabelOne(project, new ContributorIdentity { SessionToken = await api.NewWebSession(project) }, _ => "dont_know"));
        }

        var item = (await Progress(project)).Single();
        Assert.Equal(3, item.AnswerCount);
        Assert.Equal(0, item.EvidenceCount);
        Assert.False(item.Retired);
    }

    [Fact]
    public async Task A_contributor_hammering_the_service_is_told_to_retry_later()
    {
        var who = new ContributorIdentity { SessionToken = await api.NewWebSession(api.DemoProjectId) };

        // 300 requests at once from one person: far beyond the burst (60) plus what refills meanwhile.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            try
            {
                await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = api.DemoProjectId.ToString(), Contributor = who });
                return null;
            }
            catch (RpcException ex)
            {
                return ex;
            }
        }));
        var refused = outcomes.FirstOrDefault(o => o is not null);

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("réessayez dans", refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(refused.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan() > TimeSpan.Zero);
    }
}
