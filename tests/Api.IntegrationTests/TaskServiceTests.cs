using System.Text;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Contributions;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;


namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class TaskServiceTests(ApiFixture api)
{
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);

    private string Demo => api.DemoProjectId.ToString();

    private static ContributorIdentity Web(string token) => new() { SessionToken = token };

    private async Task<int> StoredAnswers(Func<AnswerSubmitted, bool> predicate) => (await AllAnswers()).Count(predicate);

    private async Task<IReadOnlyList<AnswerSubmitted>> AllAnswers()
    {
        await using var scope = api.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        return await session.Events.QueryRawEventDataOnly<AnswerSubmitted>().ToListAsync();
    }

    private async Task<(NextTaskResponse Next, SubmitAnswerResponse Answer)> AnswerOne(ContributorIdentity who, string? choice = null, Metadata? headers = null)
    {
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = who }, headers);
        Assert.NotNull(next.Task);
        var answer = await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = Demo,
            Contributor = who,
            ReservationToken = next.Task.ReservationToken,
            Choice = choice ?? next.Task.Choices[0].Key,
            TimeTakenMs = 1200,
            IdempotencyKey = Guid.NewGuid().ToString(),
        }, headers);
        return (next, answer);
    }

    [Fact]
    public async Task A_contributor_labels_every_image_once_then_hears_that_nothing_is_left()
    {
        var project = await api.ProjectWithImages(images: 6, maxAnswers: 5);
        var who = Web(await api.NewWebSession(project));
        var seen = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who });
            Assert.True(seen.Add(next.Task.ItemId), $"item {next.Task.ItemId} offered twice");
            var answer = await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
            {
                ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
                Choice = next.Task.Choices[i % 4].Key, IdempotencyKey = Guid.NewGuid().ToString(),
            });
            Assert.Equal(i + 1, answer.Stats.Answers);
        }

        var last = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who });

        Assert.Null(last.Task);
        Assert.Equal(6, last.Stats.Answers);
        Assert.Equal(6, last.Stats.ItemsRemaining);
    }

    [Fact]
    public async Task Answering_with_the_next_task_labels_every_image_once_in_one_call_per_answer()
    {
        var project = await api.ProjectWithImages(images: 6, maxAnswers: 5);
        var who = Web(await api.NewWebSession(project));
        var task = (await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who })).Task;
        var seen = new HashSet<string>();
        SubmitAnswerResponse answer = new();
        for (var i = 0; i < 6; i++)
        {
            Assert.NotNull(task);
            Assert.True(seen.Add(task.ItemId), $"item {task.ItemId} offered twice");
            answer = await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
            {
                ProjectId = project.ToString(), Contributor = who, ReservationToken = task.ReservationToken,
                Choice = task.Choices[i % 4].Key, IdempotencyKey = Guid.NewGuid().ToString(), Next = true,
            });
            Assert.Equal(i + 1, answer.Stats.Answers);
            Assert.NotNull(answer.Next);
            Assert.Equal(answer.Stats, answer.Next.Stats);
            task = answer.Next.Task;
        }

        Assert.Null(task);
        Assert.Equal(6, await StoredAnswers(a => a.ProjectId == project));
    }

    [Fact]
    public async Task A_retried_answer_with_the_next_task_stores_nothing_more_and_still_brings_a_next_task()
    {
        var who = Web(await api.NewWebSession(api.DemoProjectId));
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = who });
        var request = new SubmitAnswerRequest
        {
            ProjectId = Demo, Contributor = who, ReservationToken = next.Task.ReservationToken,
            Choice = next.Task.Choices[0].Key, IdempotencyKey = "retry-next-" + Guid.NewGuid(), Next = true,
        };

        var first = await _tasks.SubmitAnswerAsync(request);
        var retry = await _tasks.SubmitAnswerAsync(request);

        Assert.True(retry.Duplicate);
        Assert.Equal(first.AnswerId, retry.AnswerId);
        Assert.NotEqual(next.Task.ItemId, first.Next.Task.ItemId);
        Assert.NotEqual(next.Task.ItemId, retry.Next.Task.ItemId);
        Assert.Equal(1, await StoredAnswers(a => a.IdempotencyKey == request.IdempotencyKey));
    }

    [Fact]
    public Task An_answer_outside_the_choices_with_the_next_task_is_refused_before_anything_is_reserved() =>
        RefusedWithTheNextTaskHoldsNoImage(answerFirst: false, choice: _ => "purple", StatusCode.InvalidArgument);

    [Fact]
    public Task An_answer_the_item_refuses_with_the_next_task_holds_no_image_from_others() =>
        // A second answer on the same image (another key): only the item's stored state can refuse it.
        RefusedWithTheNextTaskHoldsNoImage(answerFirst: true, choice: task => task.Choices[1].Key, StatusCode.FailedPrecondition);

    /// <summary>
    /// Alice's answer with the next task is refused on a project of two images capped at one answer
    /// each (after a first answer of hers on the same image when <paramref name="answerFirst"/>);
    /// Bob must still get the other image: the refused call reserved nothing.
    /// </summary>
    private async Task RefusedWithTheNextTaskHoldsNoImage(bool answerFirst, Func<LabellingTask, string> choice, StatusCode refusal)
    {
        var project = await api.ProjectWithImages(images: 2, maxAnswers: 1, minAnswers: 1);
        var alice = Web(await api.NewWebSession(project));
        var bob = Web(await api.NewWebSession(project));
        var first = (await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = alice })).Task;
        SubmitAnswerRequest Answer(string key, bool next) => new()
        {
            ProjectId = project.ToString(), Contributor = alice, ReservationToken = first.ReservationToken,
            Choice = key, IdempotencyKey = Guid.NewGuid().ToString(), Next = next,
        };
        if (answerFirst)
        {
            await _tasks.SubmitAnswerAsync(Answer(first.Choices[0].Key, next: false));
        }

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _tasks.SubmitAnswerAsync(Answer(choice(first), next: true)));

        Assert.Equal(refusal, ex.StatusCode);
        var other = (await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = bob })).Task;
        Assert.NotNull(other);
        Assert.NotEqual(first.ItemId, other.ItemId);
    }

    [Fact]
    public async Task A_newcomer_meets_the_gold_image_and_gets_feedback_on_it()
    {
        var who = Web(await api.NewWebSession(api.DemoProjectId));
        var feedback = "";
        for (var i = 0; i < 8 && feedback.Length == 0; i++)
        {
            var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = who });
            if (next.Task is null)
            {
                break;
            }

            feedback = (await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
            {
                ProjectId = Demo, Contributor = who, ReservationToken = next.Task.ReservationToken,
                Choice = "flat", IdempotencyKey = Guid.NewGuid().ToString(),
            })).Feedback;
        }

        Assert.Matches("^(Bravo, c'est juste !|La plupart des gens voient « .+ » ici\\.)$", feedback);
    }

    [Fact]
    public async Task A_retried_answer_returns_the_same_result_and_stores_nothing_more()
    {
        var who = Web(await api.NewWebSession(api.DemoProjectId));
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = who });
        var request = new SubmitAnswerRequest
        {
            ProjectId = Demo,
            Contributor = who,
            ReservationToken = next.Task.ReservationToken,
            Choice = next.Task.Choices[1].Key,
            TimeTakenMs = 900,
            IdempotencyKey = "retry-" + Guid.NewGuid(),
        };

        var first = await _tasks.SubmitAnswerAsync(request);
        var retries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _tasks.SubmitAnswerAsync(request).ResponseAsync));

        Assert.False(first.Duplicate);
        Assert.All(retries, r => Assert.True(r.Duplicate));
        Assert.All(retries, r => Assert.Equal(first.AnswerId, r.AnswerId));
        Assert.Equal(1, await StoredAnswers(a => a.IdempotencyKey == request.IdempotencyKey));
    }

    [Fact]
    public async Task Forged_or_borrowed_reservation_tokens_are_refused()
    {
        var alice = Web(await api.NewWebSession(api.DemoProjectId));
        var bob = Web(await api.NewWebSession(api.DemoProjectId));
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = alice });
        var token = next.Task.ReservationToken;
        var forged = string.Concat(token.AsSpan(0, token.Length - 3), token.EndsWith("AAA", StringComparison.Ordinal) ? "BBB" : "AAA");

        SubmitAnswerRequest With(ContributorIdentity who, string reservation) => new()
        {
            ProjectId = Demo, Contributor = who, ReservationToken = reservation, Choice = "flat", IdempotencyKey = Guid.NewGuid().ToString(),
        };

        var forgedError = await Assert.ThrowsAsync<RpcException>(() => _tasks.SubmitAnswerAsync(With(alice, forged)).ResponseAsync);
        var borrowedError = await Assert.ThrowsAsync<RpcException>(() => _tasks.SubmitAnswerAsync(With(bob, token)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, forgedError.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, borrowedError.StatusCode);
        Assert.Contains("pas été émis pour vous", borrowedError.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await StoredAnswers(a => a.ItemId == Guid.Parse(next.Task.ItemId) && a.Choice == "flat" && a.TimeTakenMs == 0));
    }

    [Fact]
    public async Task An_answer_outside_the_projects_choices_is_an_invalid_argument()
    {
        var who = Web(await api.NewWebSession(api.DemoProjectId));
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = who });

        var error = await Assert.ThrowsAsync<RpcException>(() => _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = Demo, Contributor = who, ReservationToken = next.Task.ReservationToken, Choice = "banana", IdempotencyKey = "k1",
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("« banana » n'est pas un choix", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_is_required_before_a_session_starts()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => new ContributorService.ContributorServiceClient(api.Channel)
            .StartWebSessionAsync(new StartWebSessionRequest { ProjectId = Demo, ConsentAccepted = false }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("consentement", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_user_is_asked_nothing_before_their_consent_is_recorded_nor_after_they_said_stop()
    {
        var project = await api.ProjectWithImages(images: 2, maxAnswers: 3);
        var chatUser = new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = "T01:U" + Guid.NewGuid().ToString("N")[..8] } };
        var gateway = new Metadata { { "x-api-key", ApiFixture.ServiceKey } };
        var request = new NextTaskRequest { ProjectId = project.ToString(), Contributor = chatUser };
        var campaigns = new CampaignService.CampaignServiceClient(api.Channel);

        var before = await Assert.ThrowsAsync<RpcException>(() => _tasks.NextTaskAsync(request, gateway).ResponseAsync);
        await api.ConsentingChatUser(project, chatUser);
        var asked = await _tasks.NextTaskAsync(request, gateway);
        await campaigns.OptOutAsync(new OptOutRequest { ProjectId = project.ToString(), Contributor = chatUser }, gateway);
        var after = await Assert.ThrowsAsync<RpcException>(() => _tasks.NextTaskAsync(request, gateway).ResponseAsync);
        // An answer clicked just before "stop" is kept, and no next question comes back with it.
        var lastAnswer = await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = project.ToString(), Contributor = chatUser, ReservationToken = asked.Task.ReservationToken,
            Choice = asked.Task.Choices[0].Key, IdempotencyKey = Guid.NewGuid().ToString(), Next = true,
        }, gateway);

        Assert.Equal(StatusCode.FailedPrecondition, before.StatusCode);
        Assert.Contains("n'a pas donné son consentement sur ce projet", before.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(asked.Task);
        Assert.Equal(StatusCode.FailedPrecondition, after.StatusCode);
        Assert.Contains("a demandé l'arrêt", after.Status.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(lastAnswer.AnswerId));
        Assert.Null(lastAnswer.Next);
        // The web page's contributors consent on the page itself (StartWebSession): nothing more is asked of them.
        Assert.NotNull((await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = Web(await api.NewWebSession(project)) })).Task);
    }

    [Fact]
    public async Task Only_an_authenticated_gateway_may_speak_for_a_channel_user_and_it_stays_one_pseudonymous_contributor()
    {
        var slackUser = new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = "T01:U" + Guid.NewGuid().ToString("N")[..8] } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() =>
            _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = slackUser }).ResponseAsync);
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() =>
            _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = Demo, Contributor = slackUser }, new Metadata { { "x-api-key", "nope" } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);

        var gateway = new Metadata { { "x-api-key", ApiFixture.ServiceKey } };
        await api.ConsentingChatUser(api.DemoProjectId, slackUser);
        await AnswerOne(slackUser, headers: gateway);
        var (_, second) = await AnswerOne(slackUser, headers: gateway);

        Assert.Equal(2, second.Stats.Answers);
        Assert.Equal(0, await StoredAnswers(a => a.ContributorId.Contains(slackUser.ChannelUser.UserId, StringComparison.Ordinal)));
        // Both answers on the demo project (other tests answer on projects of their own), under one pseudonym.
        Assert.Equal(2, await StoredAnswers(a => a.ProjectId == api.DemoProjectId && a.Channel == "slack" && a.ContributorId.StartsWith("c_", StringComparison.Ordinal)));
        Assert.Single((await AllAnswers()).Where(a => a.ProjectId == api.DemoProjectId && a.Channel == "slack").Select(a => a.ContributorId).Distinct());
    }

    [Fact]
    public async Task The_export_holds_each_answer_with_its_item_and_current_label()
    {
        var who = Web(await api.NewWebSession(api.DemoProjectId));
        var (next, answer) = await AnswerOne(who, choice: "east_west");
        var headers = await api.OwnerHeaders();

        var csv = await _projects.ExportProjectAsync(new ExportProjectRequest { ProjectId = Demo, Format = ExportFormat.Csv }, headers);
        var json = await _projects.ExportProjectAsync(new ExportProjectRequest { ProjectId = Demo, Format = ExportFormat.Json }, headers);

        var lines = Encoding.UTF8.GetString(csv.Content.Span).Split('\n');
        Assert.Equal("item_id,file_name,label,confidence,label_source,answer_count,answer_id,contributor,choice,channel,time_taken_ms,submitted_at", lines[0]);
        var row = Assert.Single(lines, l => l.Contains(answer.AnswerId, StringComparison.Ordinal));
        Assert.StartsWith(next.Task.ItemId + ",toit-", row, StringComparison.Ordinal);
        Assert.Contains(",east_west,web,1200,", row, StringComparison.Ordinal);
        Assert.Contains(answer.AnswerId, Encoding.UTF8.GetString(json.Content.Span), StringComparison.Ordinal);
        Assert.Equal("text/csv; charset=utf-8", csv.ContentType);
    }
}
