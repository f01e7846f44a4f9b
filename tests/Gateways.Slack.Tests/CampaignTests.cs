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

/// <summary>A platform that always has a question and records every answer.</summary>
public sealed class FakePlatform : ICobotPlatform
{
    public Task<string> WebLinkAsync(string slackUser, CancellationToken ct) => Task.FromResult("http://127.0.0.1/#/label/x?link=fake");

    private int _item;

    public List<SubmitAnswerRequest> Answers { get; } = [];

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

    public Task<SubmitAnswerResponse> SubmitAnswerAsync(string slackUser, string reservationToken, string choice, int timeTakenMs, string idempotencyKey, CancellationToken ct)
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
}

public sealed class CampaignRulesTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>A Paris wall-clock time (winter: UTC+1, summer: UTC+2).</summary>
    private static DateTimeOffset At(int year, int month, int day, int hour, int minute = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Paris.GetUtcOffset(local));
    }

    private static SlackMember Active(params DateTimeOffset[] nudges) =>
        new() { Consent = ConsentState.Accepted, DirectChannel = "D1", Nudges = [.. nudges] };

    private static readonly CampaignRules Rules = new();

    [Fact]
    public void Invites_a_consenting_member_on_a_working_day_outside_quiet_hours()
    {
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(), At(2026, 1, 13, 10))); // Tuesday 10:00 Paris (09:00 UTC)
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(), At(2026, 7, 14, 9))); // summer time: 09:00 Paris is 07:00 UTC
    }

    [Theory]
    [InlineData(8, 59, NudgeVerdict.QuietHours)]
    [InlineData(9, 0, NudgeVerdict.Send)]
    [InlineData(19, 59, NudgeVerdict.Send)]
    [InlineData(20, 0, NudgeVerdict.QuietHours)]
    [InlineData(23, 30, NudgeVerdict.QuietHours)]
    [InlineData(3, 0, NudgeVerdict.QuietHours)]
    public void Respects_quiet_hours_in_Paris_time(int hour, int minute, NudgeVerdict expected) =>
        Assert.Equal(expected, Rules.Decide(Active(), At(2026, 1, 14, hour, minute)));

    [Fact]
    public void Never_on_weekends_by_default()
    {
        Assert.Equal(NudgeVerdict.NotWorkingDay, Rules.Decide(Active(), At(2026, 1, 17, 11))); // Saturday
        Assert.Equal(NudgeVerdict.NotWorkingDay, Rules.Decide(Active(), At(2026, 1, 18, 11))); // Sunday
    }

    [Fact]
    public void Nobody_is_nudged_after_saying_stop_or_without_consent()
    {
        var stopped = Active();
        stopped.Stopped = true;
        Assert.Equal(NudgeVerdict.Stopped, Rules.Decide(stopped, At(2026, 1, 13, 10)));
        Assert.Equal(NudgeVerdict.NotConsented, Rules.Decide(new SlackMember { DirectChannel = "D1" }, At(2026, 1, 13, 10)));
        Assert.Equal(NudgeVerdict.NotConsented, Rules.Decide(new SlackMember { Consent = ConsentState.Declined, DirectChannel = "D1" }, At(2026, 1, 13, 10)));
    }

    [Fact]
    public void Caps_per_day_and_per_rolling_week()
    {
        Assert.Equal(NudgeVerdict.DailyCap, Rules.Decide(Active(At(2026, 1, 13, 9, 30)), At(2026, 1, 13, 16)));
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(Active(At(2026, 1, 12, 19)), At(2026, 1, 13, 9)));
        var week = Active(At(2026, 1, 12, 10), At(2026, 1, 13, 10), At(2026, 1, 14, 10));
        Assert.Equal(NudgeVerdict.WeeklyCap, Rules.Decide(week, At(2026, 1, 15, 10)));
        Assert.Equal(NudgeVerdict.WeeklyCap, Rules.Decide(week, At(2026, 1, 19, 9, 59))); // Monday: the first nudge is not 7 days old yet
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(week, At(2026, 1, 19, 10, 1)));
    }

    [Fact]
    public void Someone_who_already_answered_today_is_left_alone()
    {
        var member = Active();
        member.LastAnswerDay = new DateOnly(2026, 1, 13);
        Assert.Equal(NudgeVerdict.AlreadyActiveToday, Rules.Decide(member, At(2026, 1, 13, 15)));
        Assert.Equal(NudgeVerdict.Send, Rules.Decide(member, At(2026, 1, 14, 15)));
    }

    [Fact]
    public void Settings_are_read_and_bad_ones_named()
    {
        var rules = CampaignRules.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["COBOT_NUDGES_PER_DAY"] = "2",
            ["COBOT_NUDGES_PER_WEEK"] = "5",
            ["COBOT_QUIET_HOURS"] = "21:30-08:00",
            ["COBOT_WORKING_DAYS"] = "mon,wed,sat",
            ["COBOT_QUESTION_MODE"] = "series",
        }).Build(), Tone.Playful);
        Assert.Equal((2, 5, new TimeOnly(21, 30), new TimeOnly(8, 0), QuestionMode.Series, 5, Tone.Playful),
            (rules.MaxPerDay, rules.MaxPerWeek, rules.QuietFrom, rules.QuietUntil, rules.Mode, rules.QuestionsPerInvitation, rules.Tone));
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Wednesday, DayOfWeek.Saturday], rules.WorkingDays.Order().ToArray());

        var ex = Assert.Throws<SlackSettingsException>(() => CampaignRules.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["COBOT_QUIET_HOURS"] = "late",
            ["COBOT_NUDGE_CRON"] = "every minute",
            ["COBOT_WORKING_DAYS"] = "mon,xyz",
        }).Build(), Tone.Impact));
        foreach (var name in new[] { "COBOT_QUIET_HOURS", "COBOT_NUDGE_CRON", "COBOT_WORKING_DAYS" })
        {
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }
    }
}

public sealed class NudgeServiceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coco-nudge-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 13, 9, 0, 0, TimeSpan.Zero)); // Tuesday 10:00 Paris
    private readonly RecordingSlack _slack = new();
    private readonly FakePlatform _platform = new();
    private readonly SlackGatewaySettings _settings;
    private readonly MemberStore _members;

    public NudgeServiceTests()
    {
        _settings = Settings.FromConfig(new() { ["COBOT_DATA_DIR"] = _dir });
        _members = new MemberStore(_settings);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private NudgeService Service(CampaignRules rules) =>
        new(rules, _members, _slack, new CobotTexts(false, rules.Tone), _settings, _clock);

    private CobotConversation Conversation() =>
        new(_slack, _platform, _members, new CobotTexts(false, Tone.Impact), _clock, NullLogger<CobotConversation>.Instance);

    private async Task Member(string user, ConsentState consent, bool stopped = false) =>
        await _members.UpdateAsync("T1:" + user, m =>
        {
            m.Consent = consent;
            m.Stopped = stopped;
            m.DirectChannel = "D" + user;
        }, CancellationToken.None);

    private int NudgesTo(string user) => _slack.Calls.Count(c => c.Channel == "D" + user && c.Blocks?.ToJsonString().Contains("cobot_nudge_start", StringComparison.Ordinal) == true);

    [Fact]
    public async Task Invites_only_consenting_members_within_caps_and_records_every_nudge()
    {
        await Member("UYES", ConsentState.Accepted);
        await Member("USTOP", ConsentState.Accepted, stopped: true);
        await Member("UNO", ConsentState.Declined);
        await Member("UNEW", ConsentState.Unknown);
        var service = Service(new CampaignRules { MaxPerDay = 1, MaxPerWeek = 2 });

        Assert.Equal(1, await service.RunAsync(CancellationToken.None));
        Assert.Equal(1, NudgesTo("UYES"));
        Assert.Equal(0, NudgesTo("USTOP") + NudgesTo("UNO") + NudgesTo("UNEW"));

        _clock.Advance(TimeSpan.FromHours(3)); // same day
        Assert.Equal(0, await service.RunAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromHours(21)); // Wednesday 10:00
        Assert.Equal(1, await service.RunAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromDays(1)); // Thursday: weekly cap of 2 reached
        Assert.Equal(0, await service.RunAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromHours(11)); // Thursday 21:00: quiet anyway
        Assert.Equal(0, await service.RunAsync(CancellationToken.None));

        Assert.Equal(2, NudgesTo("UYES"));
        var member = await _members.GetAsync("T1:UYES", CancellationToken.None);
        Assert.Equal([new DateTimeOffset(2026, 1, 13, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 14, 9, 0, 0, TimeSpan.Zero)], member.Nudges);
        var log = (await File.ReadAllLinesAsync(service.LogFile)).Select(l => JsonSerializer.Deserialize<NudgeRecord>(l)!).ToList();
        Assert.Equal(2, log.Count);
        Assert.All(log, r => Assert.Equal(_members.KeyOf("T1:UYES"), r.Member));
        Assert.DoesNotContain("UYES", await File.ReadAllTextAsync(service.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saying_stop_after_a_nudge_ends_the_invitations()
    {
        await Member("UQUIT", ConsentState.Accepted);
        var service = Service(new CampaignRules { MaxPerDay = 5, MaxPerWeek = 50 });
        Assert.Equal(1, await service.RunAsync(CancellationToken.None));
        await Conversation().HandleAsync(new StopRequested("T1", "UQUIT", null, null, null), CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await service.RunAsync(CancellationToken.None));
        Assert.Equal(1, NudgesTo("UQUIT"));
    }

    [Theory]
    [InlineData("single", 1)]
    [InlineData("series", 5)]
    public async Task An_invitation_asks_one_image_or_a_series_of_five_then_thanks(string mode, int questions)
    {
        await Member("USERIES", ConsentState.Accepted);
        var rules = CampaignRules.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["COBOT_QUESTION_MODE"] = mode }).Build(), Tone.Impact);
        Assert.Equal(1, await Service(rules).RunAsync(CancellationToken.None));
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
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 1, 13, 9, 0, 0, TimeSpan.Zero)));
        builder.Services.AddSingleton<ISlackWebApi>(slack);
        builder.Services.AddSingleton(new CobotTexts(false, Tone.Impact));
        builder.Services.AddSingleton<MemberStore>();
        builder.Services.AddCobotCampaigns(new CampaignRules { Cron = "0 0 10 ? * MON-FRI" });
        using var host = builder.Build();
        await host.Services.GetRequiredService<MemberStore>().UpdateAsync("T1:UQ", m =>
        {
            m.Consent = ConsentState.Accepted;
            m.DirectChannel = "DUQ";
        }, CancellationToken.None);

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
    private static IHost Node(string connection, string dataDir, RecordingSlack slack)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Settings.FromConfig(new() { ["COBOT_DATA_DIR"] = dataDir }));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ISlackWebApi>(slack);
        builder.Services.AddSingleton(new CobotTexts(false, Tone.Neutral));
        builder.Services.AddSingleton<MemberStore>();
        builder.Services.AddCobotCampaigns(new CampaignRules
        {
            Cron = "* * * * * ?", // every second, to see many fires in a short test
            MaxPerDay = 1000,
            MaxPerWeek = 1000,
            QuietFrom = new TimeOnly(0, 0),
            QuietUntil = new TimeOnly(0, 0),
            WorkingDays = Enum.GetValues<DayOfWeek>().ToHashSet(),
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
        using var nodeA = Node(connectionString, Path.Combine(root, "a"), slackA);
        using var nodeB = Node(connectionString, Path.Combine(root, "b"), slackB);
        foreach (var node in new[] { nodeA, nodeB })
        {
            // The same consenting member on both nodes: only Quartz's cluster lock keeps them from both inviting.
            await node.Services.GetRequiredService<MemberStore>().UpdateAsync("T1:UCLUSTER", m =>
            {
                m.Consent = ConsentState.Accepted;
                m.DirectChannel = "DUCLUSTER";
            }, CancellationToken.None);
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
            Assert.InRange(slackA.PostedAt.Count + slackB.PostedAt.Count, 1, fires.Count);

            await using var connection = new Npgsql.NpgsqlConnection(GatewayFixture.ConnectionString);
            await connection.OpenAsync();
            await using var tables = new Npgsql.NpgsqlCommand(
                $"select count(*) from information_schema.tables where table_schema = '{schema}' and table_name like 'qrtz_%'", connection);
            Assert.True((long)(await tables.ExecuteScalarAsync())! >= 10, "Quartz did not create its tables");
        }
        finally
        {
            await using var connection = new Npgsql.NpgsqlConnection(GatewayFixture.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
