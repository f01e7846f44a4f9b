using System.Text.Json;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>A contributor's own data: download (right of access) and erasure, over real gRPC and PostgreSQL.</summary>
[Collection(nameof(ApiCollection))]
public sealed class MyDataTests(ApiFixture api)
{
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);
    private readonly ContributorService.ContributorServiceClient _contributors = new(api.Channel);
    private readonly CampaignService.CampaignServiceClient _campaigns = new(api.Channel);
    private static readonly Metadata Gateway = new() { { "x-api-key", ApiFixture.ServiceKey } };

    private Task AnswerOne(Guid project, ContributorIdentity who, string? idempotencyKey = null) => AnswerNext(project, who, "flat", evidence: null, idempotencyKey);

    /// <summary>How many rows of the store's JSON (events and documents) hold <paramref name="text"/>.</summary>
    private async Task<long> RowsHolding(string text)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
        await using var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        var schema = store.Options.DatabaseSchemaName;
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.columns where table_schema = @s and column_name = 'data' and data_type = 'jsonb'", connection))
        {
            list.Parameters.AddWithValue("s", schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("mt_events", tables);
        long total = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"select count(*) from \"{schema}\".\"{table}\" where strpos(data::text, @t) > 0 or strpos(id::text, @t) > 0", connection);
            count.Parameters.AddWithValue("t", text);
            total += (long)(await count.ExecuteScalarAsync())!;
        }

        return total;
    }

    private async Task<int> EvidenceOf(Guid project)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var progress = await scope.ServiceProvider.GetRequiredService<IQuerySession>()
            .Query<CoConstruisons.Domain.Contributions.ItemProgress>().Where(p => p.ProjectId == project).ToListAsync();
        return progress.Sum(p => p.EvidenceCount);
    }

    [Fact]
    public async Task A_contributor_downloads_their_own_answers_and_nothing_of_anyone_else()
    {
        var project = await api.ProjectWithImages(images: 4, maxAnswers: 5, minAnswers: 5);
        var me = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        var someoneElse = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        await AnswerOne(project, me);
        await AnswerOne(project, me);
        await AnswerOne(project, someoneElse);

        var mine = await _contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = project.ToString(), Contributor = me });
        var theirs = await _contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = project.ToString(), Contributor = someoneElse });

        Assert.Equal(2, mine.Answers);
        using var json = JsonDocument.Parse(mine.Json);
        var pseudonym = json.RootElement.GetProperty("contributor").GetString()!;
        var answers = json.RootElement.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("type").GetString() == "answer_submitted").ToList();
        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Contains(pseudonym, a.GetProperty("data").GetRawText(), StringComparison.Ordinal));
        // The same answers in words, for a person: project, image file, the answer's label, when.
        var inWords = json.RootElement.GetProperty("answers").EnumerateArray().ToList();
        Assert.Equal(2, inWords.Count);
        Assert.All(inWords, a =>
        {
            Assert.StartsWith("Test ", a.GetProperty("project").GetString(), StringComparison.Ordinal);
            Assert.Matches(@"^toit-\d+\.jpg$", a.GetProperty("image").GetString());
            Assert.Equal("Plat", a.GetProperty("answer").GetString()); // AnswerOne answers "flat"
            Assert.EndsWith("+00:00", a.GetProperty("answered_at").GetString(), StringComparison.Ordinal);
        });
        Assert.DoesNotContain("\\u002B", mine.Json, StringComparison.Ordinal);
        Assert.Equal(1, theirs.Answers);
        var otherPseudonym = JsonDocument.Parse(theirs.Json).RootElement.GetProperty("contributor").GetString()!;
        Assert.NotEqual(pseudonym, otherPseudonym);
        Assert.DoesNotContain(otherPseudonym, mine.Json, StringComparison.Ordinal);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => _contributors.ExportMyDataAsync(new ExportMyDataRequest
        {
            ProjectId = project.ToString(), Contributor = new ContributorIdentity { SessionToken = "forged" },
        }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    [Fact]
    public async Task Erasure_leaves_no_trace_of_the_pseudonym_and_keeps_the_answers_as_anonymous_evidence()
    {
        var project = await api.ProjectWithImages(images: 4, maxAnswers: 5, minAnswers: 5);
        var slack = new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = "T1:U" + Guid.NewGuid().ToString("N")[..8] } };
        await _campaigns.RecordConsentAsync(new RecordConsentRequest
        {
            ProjectId = project.ToString(), Contributor = slack, Accepted = true, ConsentVersion = "1", SealedAddress = "sealed-address-of-this-user",
        }, Gateway);
        // A gateway's keys may be derived from the chat identity (Cobot's are keyed hashes of team, user and message).
        var keys = new[] { "slack-key-of-" + slack.ChannelUser.UserId + "-1", "slack-key-of-" + slack.ChannelUser.UserId + "-2" };
        await AnswerOne(project, slack, keys[0]);
        await AnswerOne(project, slack, keys[1]);
        var other = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        var otherKey = "web-key-" + Guid.NewGuid().ToString("N");
        await AnswerOne(project, other, otherKey);
        var export = await _contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = project.ToString(), Contributor = slack }, Gateway);
        var pseudonym = JsonDocument.Parse(export.Json).RootElement.GetProperty("contributor").GetString()!;
        Assert.Contains("sealed-address-of-this-user", export.Json, StringComparison.Ordinal);
        var evidence = await EvidenceOf(project);
        Assert.Equal(3, evidence);

        // Not confirmed: refused, nothing changes.
        var unconfirmed = await Assert.ThrowsAsync<RpcException>(() => _contributors.EraseMyDataAsync(
            new EraseMyDataRequest { ProjectId = project.ToString(), Contributor = slack }, Gateway).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unconfirmed.StatusCode);
        Assert.True(await RowsHolding(pseudonym) > 0);

        var erased = await _contributors.EraseMyDataAsync(new EraseMyDataRequest { ProjectId = project.ToString(), Contributor = slack, Confirmed = true }, Gateway);

        Assert.Equal(2, erased.AnswersAnonymised);
        Assert.True(erased.RecordsDeleted > 0);
        Assert.Equal(0, await RowsHolding(pseudonym));
        Assert.Equal(0, await RowsHolding("sealed-address-of-this-user"));
        Assert.Equal(0, await RowsHolding(keys[0])); // the answers' keys could lead back to the chat identity
        Assert.Equal(0, await RowsHolding(keys[1]));
        Assert.True(await RowsHolding(otherKey) > 0); // the other contributor's answer keeps its key
        Assert.Equal(evidence, await EvidenceOf(project));
        var after = await _contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = project.ToString(), Contributor = slack }, Gateway);
        Assert.Equal(0, after.Records);
        var stats = await _tasks.GetMyStatsAsync(new GetMyStatsRequest { ProjectId = project.ToString(), Contributor = slack }, Gateway);
        Assert.Equal(0, stats.Answers);
        // The other contributor's data is untouched.
        Assert.Equal(1, (await _contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = project.ToString(), Contributor = other })).Answers);
    }

    [Fact]
    public async Task After_erasure_the_platform_no_longer_knows_which_images_they_answered()
    {
        // Two images, both answered by a chat user: nothing is left for them.
        var project = await api.ProjectWithImages(images: 2, maxAnswers: 5, minAnswers: 5);
        var slack = await api.ConsentingChatUser(project, new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = "T1:U" + Guid.NewGuid().ToString("N")[..8] } });
        await AnswerOne(project, slack);
        await AnswerOne(project, slack);
        var request = new NextTaskRequest { ProjectId = project.ToString(), Contributor = slack };
        Assert.Null((await _tasks.NextTaskAsync(request, Gateway)).Task);

        // Erased through another node: this node learns it only from the store.
        var (channel, node) = await api.StartSecondNode();
        await using (node)
        {
            using (channel)
            {
                await new ContributorService.ContributorServiceClient(channel).EraseMyDataAsync(
                    new EraseMyDataRequest { ProjectId = project.ToString(), Contributor = slack, Confirmed = true }, Gateway);
            }
        }

        // The same chat user coming back is a new contributor (asked for consent again: erasure removed it): this
        // node's copy of the open items, refreshed from the store, no longer holds their pseudonym, so both images
        // are offered again (never twice).
        await api.ConsentingChatUser(project, slack);
        var offered = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (offered.Count < 2 && DateTime.UtcNow < deadline)
        {
            var next = await _tasks.NextTaskAsync(request, Gateway);
            if (next.Task is null)
            {
                await Task.Delay(250);
                continue;
            }

            Assert.True(offered.Add(next.Task.ItemId), "offered the same image twice");
            await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
            {
                ProjectId = project.ToString(), Contributor = slack, ReservationToken = next.Task.ReservationToken,
                Choice = "flat", IdempotencyKey = Guid.NewGuid().ToString(),
            }, Gateway);
        }

        Assert.Equal(2, offered.Count);
        Assert.Equal(4, await EvidenceOf(project));
    }

    [Fact]
    public async Task After_erasure_a_contributor_who_comes_back_is_weighed_like_a_newcomer_on_every_node()
    {
        var project = await api.ProjectWithImages(images: 5, maxAnswers: 6, minAnswers: 6);
        var slack = await api.ConsentingChatUser(project, new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = "T1:U" + Guid.NewGuid().ToString("N")[..8] } });

        // Three careful contributors agree on every image; the chat user contradicts them on two, and a
        // refit learns that the chat user is unreliable.
        for (var person = 0; person < 3; person++)
        {
            var careful = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
            for (var i = 0; i < 5; i++)
            {
                await AnswerNext(project, careful, "flat", evidence: null);
            }
        }

        await AnswerNext(project, slack, "other", evidence: 3);
        await AnswerNext(project, slack, "other", evidence: 3);
        await new ProjectService.ProjectServiceClient(api.Channel).RefitConsensusAsync(
            new RefitConsensusRequest { ProjectId = project.ToString() }, await api.OwnerHeaders());
        var distrusted = await AnswerNext(project, slack, "other", evidence: 3);

        // Erased through another node; then the same chat user (same pseudonym) and a newcomer each
        // contradict the three on an image, after this node's look for a newer fit.
        var (channel, node) = await api.StartSecondNode();
        await using (node)
        {
            using (channel)
            {
                await new ContributorService.ContributorServiceClient(channel).EraseMyDataAsync(
                    new EraseMyDataRequest { ProjectId = project.ToString(), Contributor = slack, Confirmed = true }, Gateway);
            }
        }

        await Task.Delay(CoConstruisons.Application.Consensus.ConsensusCache.CheckInterval + TimeSpan.FromSeconds(1));
        await api.ConsentingChatUser(project, slack); // erasure removed their consent: the gateway asks again
        var returning = await AnswerNext(project, slack, "other", evidence: 3);
        var newcomer = await AnswerNext(project, new ContributorIdentity { SessionToken = await api.NewWebSession(project) }, "other", evidence: 3);

        // An unreliable contributor's contradiction barely moves the label; a newcomer's moves it more.
        Assert.True(1 - distrusted < (1 - newcomer) / 2, $"the refit did not distrust the chat user ({distrusted} vs {newcomer})");
        Assert.Equal(newcomer, returning, 9);
    }

    /// <summary>
    /// Answers the next image offered to <paramref name="who"/> that holds <paramref name="evidence"/>
    /// answers (skipping the others; any image when null) and returns its label confidence after the answer.
    /// </summary>
    private async Task<double> AnswerNext(Guid project, ContributorIdentity who, string choice, int? evidence, string? idempotencyKey = null)
    {
        var headers = who.ChannelUser is null ? null : Gateway;
        await using var scope = api.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
        while (true)
        {
            var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who }, headers);
            Assert.NotNull(next.Task);
            var item = Guid.Parse(next.Task.ItemId);
            await using (var session = store.QuerySession())
            {
                var before = await session.LoadAsync<CoConstruisons.Domain.Contributions.ItemProgress>(item);
                if (evidence is { } wanted && before?.EvidenceCount != wanted)
                {
                    await _tasks.SkipAsync(new SkipRequest { ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken }, headers);
                    continue;
                }
            }

            await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
            {
                ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
                Choice = choice, IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString(),
            }, headers);
            await using var after = store.QuerySession();
            return (await after.LoadAsync<CoConstruisons.Domain.Contributions.ItemProgress>(item))!.Confidence;
        }
    }
}
