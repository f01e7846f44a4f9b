using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CoConstruisons.Gateways.Slack.Campaigns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CoConstruisons.Gateways.Slack.Tests;

public sealed class SlackSignatureTests
{
    // The example from Slack's "Verifying requests from Slack" documentation.
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string Documented = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    private static SlackSignatureVerifier Verifier(long nowUnix) =>
        new(Settings.Valid() with { SigningSecret = Secret }, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(nowUnix)));

    [Fact]
    public void Signs_Slacks_documented_example_to_the_documented_signature()
    {
        Assert.Equal(Documented, SlackSignatureVerifier.Sign(Secret, Timestamp, Encoding.UTF8.GetBytes(Body)));
        Assert.Equal(SignatureCheck.Valid, Verifier(1531420618 + 10).Verify(Timestamp, Documented, Encoding.UTF8.GetBytes(Body)));
    }

    [Theory]
    [InlineData(299, SignatureCheck.Valid)]
    [InlineData(-299, SignatureCheck.Valid)]
    [InlineData(301, SignatureCheck.Stale)]
    [InlineData(-301, SignatureCheck.Stale)]
    public void Rejects_timestamps_more_than_five_minutes_from_now(int skewSeconds, SignatureCheck expected) =>
        Assert.Equal(expected, Verifier(1531420618 + skewSeconds).Verify(Timestamp, Documented, Encoding.UTF8.GetBytes(Body)));

    [Fact]
    public void Rejects_a_changed_body_a_missing_header_and_a_malformed_timestamp()
    {
        var verifier = Verifier(1531420618);
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(Timestamp, Documented, Encoding.UTF8.GetBytes(Body.Replace("roadrunner", "wilecoyote", StringComparison.Ordinal))));
        Assert.Equal(SignatureCheck.Mismatch, verifier.Verify(Timestamp, Documented.ToUpperInvariant(), Encoding.UTF8.GetBytes(Body)));
        Assert.Equal(SignatureCheck.Missing, verifier.Verify(Timestamp, null, Encoding.UTF8.GetBytes(Body)));
        Assert.Equal(SignatureCheck.Stale, verifier.Verify("-1531420618", Documented, Encoding.UTF8.GetBytes(Body)));
    }
}

public sealed class SlackWebApiTests
{
    private sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] replies) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, string Body)> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((request, await request.Content!.ReadAsStringAsync(cancellationToken)));
            return replies[Math.Min(Seen.Count - 1, replies.Length - 1)](request);
        }
    }

    private static HttpResponseMessage Json(string json) => new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage RateLimited(int seconds)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }

    private static SlackWebApi Api(ScriptedHandler handler) =>
        new(new HttpClient(handler), Settings.Valid(), TimeProvider.System, NullLogger<SlackWebApi>.Instance);

    [Fact]
    public async Task Posts_json_with_the_bot_token_to_the_method_url_and_reads_channel_and_ts()
    {
        var handler = new ScriptedHandler(_ => Json("""{"ok":true,"channel":"D123","ts":"1503435956.000247","message":{"text":"x"}}"""));
        var posted = await Api(handler).PostMessageAsync("D123", "Bonjour", new JsonArray(SlackBlocks.Section("*Bonjour*")), CancellationToken.None);

        Assert.Equal(new PostedMessage("D123", "1503435956.000247"), posted);
        var (request, body) = Assert.Single(handler.Seen);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://slack.example/api/chat.postMessage", request.RequestUri!.ToString());
        Assert.Equal("Bearer xoxb-1", request.Headers.Authorization!.ToString());
        Assert.Equal("application/json; charset=utf-8", request.Content!.Headers.ContentType!.ToString());
        var json = JsonNode.Parse(body)!;
        Assert.Equal("D123", json["channel"]!.ToString());
        Assert.Equal("section", json["blocks"]![0]!["type"]!.ToString());
    }

    [Fact]
    public async Task An_ok_false_reply_raises_the_slack_error_code()
    {
        var handler = new ScriptedHandler(_ => Json("""{"ok":false,"error":"channel_not_found"}"""));
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Api(handler).UpdateMessageAsync("C1", "1.2", "x", null, CancellationToken.None));
        Assert.Equal("channel_not_found", ex.Error);
        Assert.Equal("chat.update", ex.Method);
    }

    [Fact]
    public async Task A_429_waits_for_retry_after_then_succeeds()
    {
        var handler = new ScriptedHandler(_ => RateLimited(1), _ => Json("""{"ok":true,"channel":{"id":"D777"}}"""));
        var watch = Stopwatch.StartNew();
        var channel = await Api(handler).OpenDirectMessageAsync("U1", CancellationToken.None);

        Assert.Equal("D777", channel);
        Assert.Equal(2, handler.Seen.Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"waited only {watch.Elapsed}");
    }

    [Fact]
    public async Task Keeps_being_rate_limited_ends_with_ratelimited()
    {
        var handler = new ScriptedHandler(_ => RateLimited(0));
        var ex = await Assert.ThrowsAsync<SlackApiException>(() => Api(handler).PublishHomeAsync("U1", new JsonObject { ["type"] = "home" }, CancellationToken.None));
        Assert.Equal("ratelimited", ex.Error);
        Assert.Equal(SlackWebApi.MaxAttempts, handler.Seen.Count);
    }
}

public sealed class SettingsAndTextsTests
{
    [Fact]
    public void Missing_settings_are_all_named_in_one_start_up_error()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["SLACK_BOT_TOKEN"] = "xoxb-1" }).Build();
        var ex = Assert.Throws<SlackSettingsException>(() => SlackGatewaySettings.From(config));
        foreach (var name in new[] { "SLACK_SIGNING_SECRET", "COBOT_API_KEY", "COBOT_PROJECT_ID" })
        {
            Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("SLACK_BOT_TOKEN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_point_at_slack_and_the_local_platform()
    {
        var settings = Settings.FromConfig(new Dictionary<string, string?>());
        Assert.Equal("https://slack.com/api/", settings.SlackApiUrl.ToString());
        Assert.Equal("http://127.0.0.1:8002/", settings.CobotApiUrl.ToString());
        Assert.Equal("http://127.0.0.1:8001", settings.ListenUrl);
        Assert.False(settings.English);
    }

    [Fact]
    public void A_bad_url_or_tone_is_refused_with_its_name()
    {
        var ex = Assert.Throws<SlackSettingsException>(() => Settings.FromConfig(new Dictionary<string, string?> { ["COBOT_API_URL"] = "localhost:8002", ["COBOT_TONE"] = "grumpy" }));
        Assert.Contains("COBOT_API_URL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("COBOT_TONE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_project_id_that_is_not_the_platforms_id_is_refused_with_its_value()
    {
        foreach (var bad in new[] { "nope", "42", "00000000-0000-0000-0000-000000000000", "6f1d2c3b-4a59-4e8f-9d7c-0b1a2e3f4d5" })
        {
            var ex = Assert.Throws<SlackSettingsException>(() => Settings.FromConfig(new() { ["COBOT_PROJECT_ID"] = bad }));
            Assert.Contains("COBOT_PROJECT_ID (identifiant de projet attendu, un GUID / a project id expected, a GUID: « " + bad + " »)", ex.Message, StringComparison.Ordinal);
        }

        // The platform's id, however it was pasted, is what the gateway sends and prints.
        Assert.Equal("6f1d2c3b-4a59-4e8f-9d7c-0b1a2e3f4d5c", Settings.FromConfig(new() { ["COBOT_PROJECT_ID"] = " 6F1D2C3B-4A59-4E8F-9D7C-0B1A2E3F4D5C " }).ProjectId);
    }

    [Fact]
    public void Every_bad_setting_of_the_gateway_and_its_nudges_is_named_in_one_start_up_message()
    {
        var ex = Assert.Throws<SlackSettingsException>(() => SlackGatewayHost.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SLACK_SIGNING_SECRET"] = "s",
            ["SLACK_BOT_TOKEN"] = "xoxb-1",
            ["COBOT_API_KEY"] = "k",
            ["COBOT_PROJECT_ID"] = "nope",
            ["COBOT_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "coco-slack-unit"),
            ["COBOT_LANGUAGE"] = "de",
            ["COBOT_WORKERS"] = "0",
            ["COBOT_QUIET_HOURS"] = "1",
            ["COBOT_NUDGE_CRON"] = "every minute",
            ["COBOT_CAMPAIGN_ENABLED"] = "maybe",
            ["COBOT_QUARTZ_CONNECTION"] = "Hots=db;Password=hunter2",
        })));

        Assert.StartsWith("Passerelle Slack : réglages manquants ou invalides / Slack gateway: missing or invalid settings: ", ex.Message, StringComparison.Ordinal);
        foreach (var name in new[] { "COBOT_PROJECT_ID", "COBOT_LANGUAGE", "COBOT_WORKERS", "COBOT_QUIET_HOURS", "COBOT_NUDGE_CRON", "COBOT_CAMPAIGN_ENABLED", "COBOT_QUARTZ_CONNECTION" })
        {
            Assert.Contains(name + " (", ex.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nudge_settings_are_checked_too()
    {
        Assert.False(NudgeSchedule.From(Config(new() { ["COBOT_CAMPAIGN_ENABLED"] = "False" })).Enabled);
        Assert.True(NudgeSchedule.From(Config(new() { ["COBOT_CAMPAIGN_ENABLED"] = " true " })).Enabled);
        Assert.True(NudgeSchedule.From(Config([])).Enabled);
        Assert.Equal("Host=db;Search Path=quartz", NudgeSchedule.From(Config(new() { ["COBOT_QUARTZ_CONNECTION"] = "Host=db;Search Path=quartz" })).QuartzConnection);
        foreach (var bad in new[] { "Port=abc", "Host=db;Port", "nonsense" })
        {
            var ex = Assert.Throws<SlackSettingsException>(() => NudgeSchedule.From(Config(new() { ["COBOT_QUARTZ_CONNECTION"] = bad })));
            Assert.Contains("COBOT_QUARTZ_CONNECTION", ex.Message, StringComparison.Ordinal);
        }

        static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    [Fact]
    public void Milestones_speak_in_the_chosen_tone_and_language()
    {
        Assert.Equal(":sunny: 12 toits aujourd'hui — de quoi cartographier votre rue au soleil.", new CobotTexts(false, Tone.Impact).Milestone(12));
        Assert.Equal(":sunny: 12 roofs today — enough to map your street in the sun.", new CobotTexts(true, Tone.Impact).Milestone(12));
        Assert.Equal("12 réponses aujourd'hui. Merci.", new CobotTexts(false, Tone.Neutral).Milestone(12));
        Assert.Equal("", new CobotTexts(false, Tone.Impact).Milestone(11));
    }

    [Fact]
    public void The_idempotency_key_is_the_same_for_the_same_click_and_differs_otherwise()
    {
        var keys = new AnswerIdempotency(Settings.Valid());
        var key = keys.KeyOf("T1", "U1", "1700000000.1", "1699999999.5");
        Assert.Equal(key, keys.KeyOf("T1", "U1", "1700000000.1", "1699999999.5"));
        Assert.NotEqual(key, keys.KeyOf("T1", "U1", "1700000000.2", "1699999999.5"));
        Assert.NotEqual(key, keys.KeyOf("T1", "U2", "1700000000.1", "1699999999.5"));
        Assert.DoesNotContain("U1", key, StringComparison.Ordinal);
        Assert.InRange(key.Length, 1, 200);
    }

    [Fact]
    public void The_idempotency_key_cannot_be_recomputed_from_the_slack_ids_without_the_apps_secret()
    {
        const string team = "T1", user = "U1", actionTs = "1700000000.1", messageTs = "1699999999.5";
        var key = new AnswerIdempotency(Settings.Valid()).KeyOf(team, user, actionTs, messageTs);

        // The same click gives the same key on a restarted gateway or another node of the app (same signing secret)...
        Assert.Equal(key, new AnswerIdempotency(Settings.Valid()).KeyOf(team, user, actionTs, messageTs));
        // ...but it is not the plain hash anyone with a workspace export could compute for each candidate user...
        var unkeyed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{team}:{user}:{actionTs}:{messageTs}")));
        Assert.Equal(("slack-" + unkeyed).Length, key.Length); // same shape: the keyed hash replaces it one for one
        Assert.NotEqual("slack-" + unkeyed, key);
        Assert.DoesNotContain(unkeyed, key, StringComparison.Ordinal);
        // ...and another secret (another app, a guess) gives another key.
        Assert.NotEqual(key, new AnswerIdempotency(Settings.FromConfig(new() { ["SLACK_SIGNING_SECRET"] = "another-app" })).KeyOf(team, user, actionTs, messageTs));
    }
}

internal static class Settings
{
    public static SlackGatewaySettings FromConfig(Dictionary<string, string?> extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["SLACK_SIGNING_SECRET"] = "s",
            ["SLACK_BOT_TOKEN"] = "xoxb-1",
            ["COBOT_API_KEY"] = "k",
            ["COBOT_PROJECT_ID"] = "6f1d2c3b-4a59-4e8f-9d7c-0b1a2e3f4d5c",
            ["COBOT_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "coco-slack-unit"),
        };
        foreach (var (k, v) in extra)
        {
            values[k] = v;
        }

        return SlackGatewaySettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    public static SlackGatewaySettings Valid() => FromConfig(new() { ["SLACK_API_URL"] = "https://slack.example/api" });
}
