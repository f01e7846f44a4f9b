using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>
/// The gateway's inbox, queue and journals on a data folder, without workers: what a gateway process
/// holds between Slack's request and the work. Disposing it without marking work done is what a crash
/// leaves on disk (every line is flushed before Slack gets its answer).
/// </summary>
internal sealed class InboxOnDisk : IDisposable
{
    public const long Now = 1_767_000_000;

    private readonly WorkJournal _journal;
    private readonly SeenEvents _seen;

    public InboxOnDisk(string dataDirectory, int capacity = 100)
    {
        DataDirectory = dataDirectory;
        var settings = Settings.Valid() with { Workers = 1, QueueCapacity = capacity, DataDirectory = dataDirectory };
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now));
        _journal = new WorkJournal(settings, NullLogger<WorkJournal>.Instance);
        _seen = new SeenEvents(settings, clock);
        Queue = new SlackWorkQueue(settings, _journal);
        Inbox = new SlackInbox(new SlackSignatureVerifier(settings, clock), Queue, _seen, new CobotTexts(false, settings.Tone), NullLogger<SlackInbox>.Instance);
    }

    public string DataDirectory { get; }

    public SlackInbox Inbox { get; }

    public SlackWorkQueue Queue { get; }

    public List<JournaledWork> Waiting()
    {
        var items = new List<JournaledWork>();
        while (Queue.Reader(0).TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }

    public void Dispose()
    {
        _journal.Dispose();
        _seen.Dispose();
    }
}

/// <summary>Nothing Slack was told was received is lost when the gateway stops or crashes before doing it.</summary>
public sealed class WorkJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "coco-journal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string Click(string user, string actionTs) =>
        "payload=" + Uri.EscapeDataString(new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = user, ["team_id"] = "T1" },
            ["team"] = new JsonObject { ["id"] = "T1" },
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1700000000.000200", ["channel_id"] = "D" + user },
            ["message"] = new JsonObject
            {
                ["ts"] = "1700000000.000200",
                ["blocks"] = new JsonArray(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "Quelle orientation ?" } }),
            },
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = "cobot_answer_flat",
                ["value"] = """{"t":"reservation-token","c":"flat","s":1700000000000}""",
                ["type"] = "button",
                ["action_ts"] = actionTs,
            }),
        }.ToJsonString());

    [Fact]
    public async Task Work_acknowledged_to_Slack_but_not_done_before_a_crash_is_queued_again_in_order_after_the_restart()
    {
        using (var before = new InboxOnDisk(_folder))
        {
            Assert.Equal(200, await SlackInboxTests.PostTo(before.Inbox, "application/x-www-form-urlencoded", Click("U1", "1700000001.000100")));
            Assert.Equal(200, await SlackInboxTests.PostTo(before.Inbox, "application/json", SlackInboxTests.DirectMessage("Ev1", "U2")));
        } // the process ends here: nothing was done

        using var after = new InboxOnDisk(_folder);
        var recovered = after.Waiting();

        Assert.Equal(2, recovered.Count);
        var answer = Assert.IsType<AnswerClicked>(recovered[0].Work);
        Assert.Equal(("T1", "U1", "DU1", "1700000000.000200", "1700000001.000100"), (answer.TeamId, answer.UserId, answer.Channel, answer.MessageTs, answer.ActionTs));
        Assert.Equal("""{"t":"reservation-token","c":"flat","s":1700000000000}""", answer.Value);
        Assert.Contains("Quelle orientation ?", answer.MessageBlocks!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("T1:U2", Assert.IsType<StartRequested>(recovered[1].Work).SlackUser);
    }

    [Fact]
    public async Task Work_that_was_done_is_not_done_again_and_the_journal_is_emptied_when_nothing_waits()
    {
        using (var before = new InboxOnDisk(_folder))
        {
            Assert.Equal(200, await SlackInboxTests.PostTo(before.Inbox, "application/x-www-form-urlencoded", Click("U1", "1700000001.000100")));
            Assert.Equal(200, await SlackInboxTests.PostTo(before.Inbox, "application/x-www-form-urlencoded", Click("U1", "1700000002.000100")));
            before.Queue.Done(before.Waiting()[0]); // the first click was handled, the second not yet
        }

        using var after = new InboxOnDisk(_folder);
        var recovered = Assert.Single(after.Waiting());
        Assert.Equal("1700000002.000100", Assert.IsType<AnswerClicked>(recovered.Work).ActionTs);

        after.Queue.Done(recovered);
        Assert.Equal(0, new FileInfo(Path.Combine(_folder, WorkJournal.FileName)).Length); // no Slack user id stays on disk
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_while_it_was_written_is_skipped()
    {
        using (var before = new InboxOnDisk(_folder))
        {
            Assert.Equal(200, await SlackInboxTests.PostTo(before.Inbox, "application/json", SlackInboxTests.DirectMessage("Ev1", "U1")));
        }

        var path = Path.Combine(_folder, WorkJournal.FileName);
        await File.AppendAllTextAsync(path, """{"n":2,"work":{"kind":"start","TeamId":"T1","Use""");

        using var after = new InboxOnDisk(_folder);
        Assert.Equal("T1:U1", Assert.Single(after.Waiting()).Work.SlackUser);
    }

    [Fact]
    public async Task Slacks_retry_of_an_event_taken_before_a_restart_is_not_done_twice()
    {
        using (var before = new InboxOnDisk(_folder))
        {
            Assert.Equal(200, await SlackInboxTests.PostTo(before.Inbox, "application/json", SlackInboxTests.DirectMessage("Ev1", "U1")));
            before.Queue.Done(Assert.Single(before.Waiting()));
        }

        using var after = new InboxOnDisk(_folder);
        Assert.Equal(200, await SlackInboxTests.PostTo(after.Inbox, "application/json", SlackInboxTests.DirectMessage("Ev1", "U1"))); // retry
        Assert.Empty(after.Waiting());
        Assert.Equal(200, await SlackInboxTests.PostTo(after.Inbox, "application/json", SlackInboxTests.DirectMessage("Ev2", "U1"))); // a new event
        Assert.Single(after.Waiting());
    }
}
