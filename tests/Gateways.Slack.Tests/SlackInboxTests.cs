using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>What Slack gets back when the gateway cannot take more work, and texts within Slack's limits.</summary>
public sealed class SlackInboxTests
{
    private const long Now = 1_767_000_000;

    private static (SlackInbox Inbox, SlackWorkQueue Queue) Inbox()
    {
        var gateway = new InboxOnDisk(Path.Combine(Path.GetTempPath(), "coco-inbox-" + Guid.NewGuid().ToString("N")), capacity: 1);
        return (gateway.Inbox, gateway.Queue);
    }

    internal static Task<int> PostTo(SlackInbox inbox, string contentType, string body) => Post(inbox, contentType, body);

    private static async Task<int> Post(SlackInbox inbox, string contentType, string body) =>
        await Send(inbox, contentType, body) is IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;

    /// <summary>A request signed as Slack signs it, handled by the inbox.</summary>
    private static Task<IResult> Send(SlackInbox inbox, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.ContentType = contentType;
        http.Request.Body = new MemoryStream(bytes);
        http.Request.ContentLength = bytes.Length;
        var timestamp = Now.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Request.Headers["X-Slack-Request-Timestamp"] = timestamp;
        http.Request.Headers["X-Slack-Signature"] = SlackSignatureVerifier.Sign(Settings.Valid().SigningSecret, timestamp, bytes);
        return inbox.HandleAsync(http);
    }

    internal static string DirectMessage(string eventId, string user) =>
        $$$"""{"type":"event_callback","team_id":"T1","event_id":"{{{eventId}}}","event":{"type":"message","channel_type":"im","user":"{{{user}}}","text":"bonjour"}}""";

    [Fact]
    public async Task An_event_the_full_queue_cannot_take_is_refused_with_503_so_that_slacks_retry_is_handled()
    {
        var (inbox, queue) = Inbox();

        Assert.Equal(200, await Post(inbox, "application/json", DirectMessage("Ev1", "U1")));
        Assert.Equal(503, await Post(inbox, "application/json", DirectMessage("Ev2", "U2"))); // the only slot is taken
        Assert.True(queue.Reader(0).TryRead(out _)); // a worker takes the first one

        Assert.Equal(200, await Post(inbox, "application/json", DirectMessage("Ev2", "U2"))); // Slack's retry: not a duplicate
        Assert.True(queue.Reader(0).TryRead(out var retried));
        Assert.Equal("T1:U2", retried.Work.SlackUser);
        Assert.Equal(200, await Post(inbox, "application/json", DirectMessage("Ev2", "U2"))); // a second retry is a duplicate
        Assert.False(queue.Reader(0).TryRead(out _));
    }

    [Fact]
    public async Task A_slash_command_the_full_queue_cannot_take_says_so()
    {
        var (inbox, queue) = Inbox();
        Assert.Equal(200, await Post(inbox, "application/json", DirectMessage("Ev1", "U1")));

        var result = await Send(inbox, "application/x-www-form-urlencoded", "team_id=T1&user_id=U2&command=%2Fcobot&text=");

        var json = Assert.IsType<JsonHttpResult<System.Text.Json.Nodes.JsonObject>>(result);
        Assert.Contains("trop de demandes", json.Value!["text"]!.ToString(), StringComparison.Ordinal);
        Assert.True(queue.Reader(0).TryRead(out var only));
        Assert.Equal("T1:U1", only.Work.SlackUser);
    }

    [Fact]
    public void Texts_longer_than_slacks_limit_are_cut_at_a_word_with_an_ellipsis()
    {
        var description = string.Join(' ', Enumerable.Repeat("toiture", 600)); // 4,799 characters
        var section = SlackBlocks.Section(description)["text"]!["text"]!.ToString();
        var context = SlackBlocks.Context(description)["elements"]![0]!["text"]!.ToString();

        Assert.InRange(section.Length, 2900, SlackBlocks.MaxText);
        Assert.EndsWith("toiture…", section, StringComparison.Ordinal);
        Assert.Equal(section, context);
        Assert.Equal("court", SlackBlocks.Fit("court"));
    }
}
