using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Gateways.Slack.Campaigns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>Records what the gateway would send to Slack.</summary>
public sealed class RecordingSlack : ISlackWebApi
{
    private long _ts;

    public ConcurrentQueue<(string Method, string Channel, string Text, JsonArray? Blocks)> Calls { get; } = new();

    public ConcurrentQueue<DateTimeOffset> PostedAt { get; } = new();

    public Task<PostedMessage> PostMessageAsync(string channel, string text, JsonArray? blocks, CancellationToken ct)
    {
        PostedAt.Enqueue(DateTimeOffset.UtcNow);
        Calls.Enqueue(("chat.postMessage", channel, text, blocks));
        return Task.FromResult(new PostedMessage(channel, "1700000000." + Interlocked.Increment(ref _ts).ToString("000000", System.Globalization.CultureInfo.InvariantCulture)));
    }

    public Task<PostedMessage> UpdateMessageAsync(string channel, string ts, string text, JsonArray? blocks, CancellationToken ct)
    {
        Calls.Enqueue(("chat.update", channel, text, blocks));
        return Task.FromResult(new PostedMessage(channel, ts));
    }

    public Task<string> OpenDirectMessageAsync(string userId, CancellationToken ct) => Task.FromResult("D" + userId);

    public Task PublishHomeAsync(string userId, JsonObject view, CancellationToken ct)
    {
        Calls.Enqueue(("views.publish", userId, "", null));
        return Task.CompletedTask;
    }
}

/// <summary>A platform that always has a question, records every answer and keeps consent like the real one.</summary>
public sealed class FakePlatform : ICobotPlatform
{
    public Task<string> WebLinkAsync(string slackUser, CancellationToken ct) => Task.FromResult("http://127.0.0.1/#/label/x?link=fake");

    public Task<EraseMyDataResponse> EraseMyDataAsync(string slackUser, CancellationToken ct)
    {
        Engagements.TryRemove(slackUser, out _);
        return Task.FromResult(new EraseMyDataResponse());
    }

    private int _item;

    public List<SubmitAnswerRequest> Answers { get; } = [];

    public ConcurrentDictionary<string, Engagement> Engagements { get; } = new();

    /// <summary>What the next PlanNudges returns (each call returns it again).</summary>
    public List<PlannedNudge> Planned { get; } = [];

    public int Rounds;

    public Task<NextTaskResponse> NextTaskAsync(string slackUser, CancellationToken ct)
    {
        var task = new LabellingTask
        {
            ItemId = "item-" + Interlocked.Increment(ref _item),
            ImageUrl = "http://127.0.0.1/i.png",
            Question = "Dans quel sens ?",
            AllowDontKnow = true,
            ReservationToken = "token-" + _item,
        };
        task.Choices.Add(new Choice { Key = "flat", Label = "Plat" });
        return Task.FromResult(new NextTaskResponse { Task = task, Stats = new ContributorStats() });
    }

    public Task<SubmitAnswerResponse> SubmitAnswerAsync(string slackUser, string reservationToken, string choice, int timeTakenMs, string idempotencyKey, bool withNext, CancellationToken ct)
    {
        Answers.Add(new SubmitAnswerRequest { ReservationToken = reservationToken, Choice = choice, IdempotencyKey = idempotencyKey });
        return Task.FromResult(new SubmitAnswerResponse { AnswerId = Guid.NewGuid().ToString(), Stats = new ContributorStats { Answers = Answers.Count, AnswersToday = Answers.Count } });
    }

    public Task<ContributorStats> GetMyStatsAsync(string slackUser, CancellationToken ct) => Task.FromResult(new ContributorStats());

    public Task<PublicProject> GetProjectAsync(CancellationToken ct)
    {
        var project = new PublicProject { Title = "Toits", Question = "Dans quel sens ?" };
        project.Choices.Add(new Choice { Key = "flat", Label = "Plat" });
        return Task.FromResult(project);
    }

    public Task<RecordInvitationResponse> RecordInvitationAsync(string slackUser, CancellationToken ct)
    {
        Engagements.TryAdd(slackUser, new Engagement { ContributorId = "c_" + slackUser, Known = true });
        return Task.FromResult(new RecordInvitationResponse { ContributorId = "c_" + slackUser, Greeting = "Bonjour !", Tone = "impact" });
    }

    public Task<Engagement> RecordConsentAsync(string slackUser, bool accepted, string consentVersion, string sealedAddress, CancellationToken ct) =>
        Task.FromResult(Engagements[slackUser] = new Engagement
        {
            ContributorId = "c_" + slackUser,
            Consent = accepted ? ConsentState.Accepted : ConsentState.Declined,
            Active = accepted,
            Known = true,
        });

    public Task<Engagement> OptOutAsync(string slackUser, CancellationToken ct)
    {
        var e = Engagements.GetValueOrDefault(slackUser) ?? new Engagement { ContributorId = "c_" + slackUser };
        e.OptedOut = true;
        e.Active = false;
        e.Known = true;
        return Task.FromResult(Engagements[slackUser] = e);
    }

    public Task<Engagement> GetEngagementAsync(string slackUser, CancellationToken ct) =>
        Task.FromResult(Engagements.GetValueOrDefault(slackUser) ?? new Engagement { ContributorId = "c_" + slackUser });

    public Task<IReadOnlyList<PlannedNudge>> PlanNudgesAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref Rounds);
        return Task.FromResult<IReadOnlyList<PlannedNudge>>([.. Planned]);
    }
}

public sealed class NudgeServiceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coco-nudge-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 13, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingSlack _slack = new();
    private readonly FakePlatform _platform = new();
    private readonly SlackGatewaySettings _settings;
    private readonly MemberStore _members;
    private readonly AddressSeal _seal;

    public NudgeServiceTests()
    {
        _settings = Settings.FromConfig(new() { ["COBOT_DATA_DIR"] = _dir });
        _members = new MemberStore(_settings);
        _seal = new AddressSeal(_settings);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private NudgeService Service() => new(_platform, _members, _slack, new CobotTexts(false, Tone.Impact), _seal, NullLogger<NudgeService>.Instance);

    private CobotConversation Conversation() =>
        new(_slack, _platform, _members, new CobotTexts(false, Tone.Impact), _seal, new AnswerIdempotency(_settings), _clock, NullLogger<CobotConversation>.Instance);

    private PlannedNudge Nudge(string user, int questions = 1, AddressSeal? sealedBy = null) => new()
    {
        NudgeId = Guid.NewGuid().ToString(),
        ContributorId = "c_" + user,
        SealedAddress = (sealedBy ?? _seal).Seal(new SlackAddress("T1:" + user, "D" + user)),
        Text = "Une minute pour le solaire ?",
        Tone = "impact",
        Mode = questions > 1 ? "series" : "single",
        Questions = questions,
    };

    [Fact]
    public async Task Delivers_what_the_platform_planned_to_the_sealed_address_with_start_and_stop_buttons()
    {
        _platform.Planned.Add(Nudge("UYES"));
        Assert.Equal(1, await Service().RunAsync(CancellationToken.None));
        var call = Assert.Single(_slack.Calls);
        Assert.Equal(("chat.postMessage", "DUYES", "Une minute pour le solaire ?"), (call.Method, call.Channel, call.Text));
        var json = call.Blocks!.ToJsonString();
        Assert.Contains(CobotConversation.NudgeStartAction, json, StringComparison.Ordinal);
        Assert.Contains(CobotConversation.StopAction, json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_not_sealed_by_this_app_is_never_written_to()
    {
        var other = new AddressSeal(Settings.FromConfig(new() { ["COBOT_DATA_DIR"] = _dir, ["SLACK_SIGNING_SECRET"] = "another-app" }));
        _platform.Planned.Add(Nudge("UOTHER", sealedBy: other));
        _platform.Planned.Add(new PlannedNudge { NudgeId = "n2", SealedAddress = "s1.garbage", Text = "x", Questions = 1 });
        Assert.Equal(0, await Service().RunAsync(CancellationToken.None));
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public void The_sealed_address_hides_the_slack_ids_and_resists_tampering()
    {
        var sealedText = _seal.Seal(new SlackAddress("T1:USECRET", "DSECRET"));
        Assert.DoesNotContain("USECRET", sealedText, StringComparison.Ordinal);
        Assert.DoesNotContain("DSECRET", sealedText, StringComparison.Ordinal);
        Assert.Equal(new SlackAddress("T1:USECRET", "DSECRET"), _seal.Open(sealedText));
        var tampered = sealedText[..^2] + (sealedText[^2] == 'A' ? "B" : "A") + sealedText[^1];
        Assert.Null(_seal.Open(tampered));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task An_invitation_asks_one_image_or_a_series_of_five_then_thanks(int questions)
    {
        await _platform.RecordConsentAsync("T1:USERIES", true, "slack-1", "", CancellationToken.None);
        _platform.Planned.Add(Nudge("USERIES", questions));
        Assert.Equal(1, await Service().RunAsync(CancellationToken.None));
        var conversation = Conversation();
        await conversation.HandleAsync(new StartRequested("T1", "USERIES", FromNudge: true), CancellationToken.None);

        for (var i = 1; i <= questions; i++)
        {
            var question = _slack.Calls.Last(c => c.Method == "chat.postMessage");
            Assert.Equal("Dans quel sens ?", question.Text);
            var value = question.Blocks!.OfType<JsonObject>().Single(b => b["type"]!.ToString() == "actions")["elements"]![0]!["value"]!.ToString();
            await conversation.HandleAsync(new AnswerClicked("T1", "USERIES", "DUSERIES", "1700000000.00000" + i, "1700000100." + i, value, question.Blocks), CancellationToken.None);
        }

        Assert.Equal(questions, _platform.Answers.Count);
        var last = _slack.Calls.Last(c => c.Method == "chat.postMessage");
        Assert.Contains("c'est tout pour cette fois", last.Text, StringComparison.Ordinal);
        Assert.Contains("cobot_start", last.Blocks!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saying_stop_records_the_opt_out_on_the_platform_and_answers_are_refused_after()
    {
        await _platform.RecordConsentAsync("T1:UQUIT", true, "slack-1", "", CancellationToken.None);
        await Conversation().HandleAsync(new StopRequested("T1", "UQUIT", null, null, null), CancellationToken.None);
        Assert.True(_platform.Engagements["T1:UQUIT"].OptedOut);
        await Conversation().HandleAsync(new AnswerClicked("T1", "UQUIT", "DUQUIT", "1.1", "2.2", "{}", null), CancellationToken.None);
        Assert.Empty(_platform.Answers);
    }

    [Fact]
    public void Campaign_settings_that_moved_to_the_platform_are_refused_by_name()
    {
        var ex = Assert.Throws<SlackSettingsException>(() => NudgeSchedule.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["COBOT_QUIET_HOURS"] = "20:00-09:00",
            ["COBOT_NUDGE_CRON"] = "every minute",
        }).Build()));
        Assert.Contains("COBOT_QUIET_HOURS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("COBOT_NUDGE_CRON", ex.Message, StringComparison.Ordinal);
        var schedule = NudgeSchedule.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["COBOT_NUDGE_CRON"] = "0 0 10 ? * MON-FRI",
            ["COBOT_NUDGE_TIME_ZONE"] = "Europe/Paris",
        }).Build());
        Assert.Equal(("0 0 10 ? * MON-FRI", "Europe/Paris"), (schedule.Cron, schedule.TimeZone.Id));
    }
}

public sealed class QuartzNudgeJobTests
{
    [Fact]
    public async Task The_nudge_job_is_scheduled_on_a_Paris_cron_and_runs_a_round_when_fired()
    {
        var dir = Path.Combine(Path.GetTempPath(), "coco-quartz-" + Guid.NewGuid().ToString("N"));
        var settings = Settings.FromConfig(new() { ["COBOT_DATA_DIR"] = dir });
        var slack = new RecordingSlack();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(settings);
        // Quartz reads this clock too: 09:30 in Paris, half an hour before the cron's fire time, so
        // only the manual trigger below runs a round.
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 13, 8, 30, 0, TimeSpan.Zero)));
        builder.Services.AddSingleton<ISlackWebApi>(slack);
        builder.Services.AddSingleton(new CobotTexts(false, Tone.Impact));
        builder.Services.AddSingleton<MemberStore>();
        builder.Services.AddSingleton<AddressSeal>();
        var platform = new FakePlatform();
        builder.Services.AddSingleton<ICobotPlatform>(platform);
        builder.Services.AddCobotCampaigns(new NudgeSchedule { Cron = "0 0 10 ? * MON-FRI" });
        using var host = builder.Build();
        platform.Planned.Add(new PlannedNudge
        {
            NudgeId = "n1",
            SealedAddress = host.Services.GetRequiredService<AddressSeal>().Seal(new SlackAddress("T1:UQ", "DUQ")),
            Text = "Une question ?",
            Questions = 1,
        });

        await host.StartAsync();
        try
        {
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            var trigger = Assert.IsAssignableFrom<ICronTrigger>(Assert.Single(await scheduler.GetTriggersOfJob(NudgeJob.Key)));
            Assert.Equal("0 0 10 ? * MON-FRI", trigger.CronExpressionString);
            Assert.Equal("Europe/Paris", trigger.TimeZone.Id);

            await scheduler.TriggerJob(NudgeJob.Key);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (slack.Calls.IsEmpty && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            var call = Assert.Single(slack.Calls);
            Assert.Equal("DUQ", call.Channel);
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(dir, recursive: true);
        }
    }
}

public sealed class QuartzClusterTests
{
    private static IHost Node(string connection, string dataDir, RecordingSlack slack, FakePlatform platform)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Settings.FromConfig(new() { ["COBOT_DATA_DIR"] = dataDir }));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ISlackWebApi>(slack);
        builder.Services.AddSingleton(new CobotTexts(false, Tone.Neutral));
        builder.Services.AddSingleton<MemberStore>();
        builder.Services.AddSingleton<AddressSeal>();
        builder.Services.AddSingleton<ICobotPlatform>(platform);
        builder.Services.AddCobotCampaigns(new NudgeSchedule
        {
            Cron = "* * * * * ?", // every second, to see many fires in a short test
            QuartzConnection = connection,
        });
        return builder.Build();
    }

    [Fact]
    public async Task Two_gateway_nodes_on_the_PostgreSQL_job_store_never_run_the_same_nudge_round_twice()
    {
        var schema = "slack_quartz_" + Guid.NewGuid().ToString("N")[..10];
        var root = Path.Combine(Path.GetTempPath(), "coco-cluster-" + Guid.NewGuid().ToString("N"));
        await using (var connection = new Npgsql.NpgsqlConnection(GatewayFixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"create schema {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = GatewayFixture.ConnectionString + ";Search Path=" + schema;
        var slackA = new RecordingSlack();
        var slackB = new RecordingSlack();
        // Each node's platform stand-in plans one nudge per round it is asked for: only Quartz's
        // cluster lock keeps the two nodes from both running (and delivering) the same fire.
        var platformA = new FakePlatform();
        var platformB = new FakePlatform();
        using var nodeA = Node(connectionString, Path.Combine(root, "a"), slackA, platformA);
        using var nodeB = Node(connectionString, Path.Combine(root, "b"), slackB, platformB);
        foreach (var (node, platform) in new[] { (nodeA, platformA), (nodeB, platformB) })
        {
            platform.Planned.Add(new PlannedNudge
            {
                NudgeId = "n-cluster",
                SealedAddress = node.Services.GetRequiredService<AddressSeal>().Seal(new SlackAddress("T1:UCLUSTER", "DUCLUSTER")),
                Text = "Une question ?",
                Questions = 1,
            });
        }

        try
        {
            await nodeA.StartAsync();
            await nodeB.StartAsync();
            var scheduler = await nodeA.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            Assert.True((await scheduler.GetMetadata()).JobStoreClustered);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await nodeA.StopAsync();
            await nodeB.StopAsync();

            // Each scheduled fire ran on exactly one node (a busy machine may run late fires back to back,
            // so timing gaps prove nothing; the fires' scheduled times do).
            var fires = nodeA.Services.GetRequiredService<NudgeRounds>().Scheduled
                .Concat(nodeB.Services.GetRequiredService<NudgeRounds>().Scheduled).ToList();
            Assert.True(fires.Count >= 2, $"only {fires.Count} nudge round(s) ran");
            Assert.Equal(fires.Count, fires.Distinct().Count());
            Assert.Equal(fires.Count, platformA.Rounds + platformB.Rounds);
            Assert.InRange(slackA.PostedAt.Count + slackB.PostedAt.Count, 1, fires.Count);

            await using var connection = new Npgsql.NpgsqlConnection(GatewayFixture.ConnectionString);
            await connection.OpenAsync();
            await using var tables = new Npgsql.NpgsqlCommand(
                $"select count(*) from information_schema.tables where table_schema = '{schema}' and table_name like 'qrtz_%'", connection);
            Assert.True((long)(await tables.ExecuteScalarAsync())! >= 10, "Quartz did not create its tables");
        }
        finally
        {
            await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(schema);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
