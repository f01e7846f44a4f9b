using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CoConstruisons.Api;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Tests.Shared;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>
/// The real Api (PostgreSQL, own schema, demo project of 20 images with one gold item), a stand-in
/// Slack Web API, and the Slack gateway in between, all on free loopback ports.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string ConnectionString =
        "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";

    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string BotToken = "xoxb-test-token";
    public const string ServiceKey = "slack-service-key-0123456789";
    public const string TeamId = "T0TEST";
    private const string OwnerEmail = "owner@example.fr";
    private const string OwnerPassword = "correct-horse";

    private readonly string _schema = "slack_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "coco-slack-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _api;
    private WebApplication? _gateway;
    private string _grpcUrl = "";

    public SlackStandIn Slack { get; } = new();

    public GrpcChannel Platform { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string ProjectId { get; private set; } = "";

    /// <summary>The demo owner's bearer token (campaign settings).</summary>
    public Metadata Owner { get; private set; } = [];

    /// <summary>The running gateway's services (e.g. its nudge service, to run a round now).</summary>
    public IServiceProvider GatewayServices => _gateway!.Services;

    /// <summary>How many events of a type (Marten alias, e.g. "nudge_sent") the platform stored.</summary>
    public async Task<long> EventCount(string type)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"select count(*) from {_schema}.mt_events where type = @type", connection);
        count.Parameters.AddWithValue("type", type);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public string DataDirectory => Path.Combine(_storage, "slack");

    public async Task InitializeAsync()
    {
        var webPort = LoopbackPorts.Free();
        var grpcPort = LoopbackPorts.Free();
        var web = $"http://127.0.0.1:{webPort}";
        _api = ApiHost.Build(["--environment", "Development"], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Kestrel:Endpoints:Web:Url"] = web,
                ["Kestrel:Endpoints:Web:Protocols"] = "Http1",
                ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
                ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
                ["PublicBaseUrl"] = web,
                ["ConnectionStrings:Marten"] = ConnectionString,
                ["Marten:Schema"] = _schema,
                ["Storage:Path"] = Path.Combine(_storage, "images"),
                ["Demo:Seed"] = "true",
                ["Demo:ImageCount"] = "20",
                ["Demo:OwnerEmail"] = OwnerEmail,
                ["Demo:OwnerPassword"] = OwnerPassword,
                ["Security:ServiceKeys:slack"] = ServiceKey,
                ["Logging:LogLevel:Default"] = "Warning",
            });
        });
        await _api.InitializeAsync();
        await _api.StartAsync();
        Platform = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var signedIn = await new AuthService.AuthServiceClient(Platform).SignInAsync(new SignInRequest { Email = OwnerEmail, Password = OwnerPassword });
        Owner = new Metadata { { "authorization", "Bearer " + signedIn.AccessToken } };
        ProjectId = (await new ProjectService.ProjectServiceClient(Platform).ListProjectsAsync(new ListProjectsRequest(), Owner)).Projects.Single().Id;

        await Slack.StartAsync();
        var gatewayPort = LoopbackPorts.Free();
        _grpcUrl = $"http://127.0.0.1:{grpcPort}";
        _gateway = BuildGateway(DataDirectory, gatewayPort);
        await _gateway.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") };
    }

    /// <summary>A gateway on this Api and this Slack stand-in, with its own data folder and port (not started).</summary>
    public WebApplication BuildGateway(string dataDirectory, int port) => SlackGatewayHost.Build([], b =>
    {
        b.Logging.SetMinimumLevel(LogLevel.Warning);
        b.Logging.AddProvider(new TestLog());
        b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SLACK_SIGNING_SECRET"] = SigningSecret,
            ["SLACK_BOT_TOKEN"] = BotToken,
            ["SLACK_API_URL"] = Slack.ApiUrl.ToString(),
            ["COBOT_API_URL"] = _grpcUrl,
            ["COBOT_API_KEY"] = ServiceKey,
            ["COBOT_PROJECT_ID"] = ProjectId,
            ["COBOT_DATA_DIR"] = dataDirectory,
            ["SLACK_GATEWAY_URL"] = $"http://127.0.0.1:{port}",
            ["COBOT_CAMPAIGN_ENABLED"] = "false", // nudges are tested with a controlled clock in CampaignTests
        });
    });

    /// <summary>The platform's own count of a Slack user's answers (GetMyStats with the gateway's service key).</summary>
    public async Task<ContributorStats> StatsOf(string userId)
    {
        var client = new TaskService.TaskServiceClient(Platform);
        return await client.GetMyStatsAsync(new GetMyStatsRequest
        {
            ProjectId = ProjectId,
            Contributor = new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = TeamId + ":" + userId } },
        }, new Metadata { { "x-api-key", ServiceKey } });
    }

    /// <summary>Slack's signature, computed here independently of the gateway's code.</summary>
    public static string Signature(string secret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    public static string Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Sends a request to /slack/events the way Slack does (signed; optionally a retry, a bad secret or an old timestamp).</summary>
    public async Task<HttpResponseMessage> Send(string body, string contentType, string? timestamp = null, string? secret = null, int? retryNum = null)
    {
        timestamp ??= Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/events")
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", Signature(secret ?? SigningSecret, timestamp, body));
        request.Headers.UserAgent.ParseAdd("Slackbot 1.0 (+https://api.slack.com/robots)");
        if (retryNum is { } n)
        {
            request.Headers.Add("X-Slack-Retry-Num", n.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }

        return await Http.SendAsync(request);
    }

    /// <summary>As <see cref="Send"/>, for a body given as bytes (one that is not valid UTF-8, say), signed over those very bytes.</summary>
    public async Task<HttpResponseMessage> SendBytes(byte[] body, string contentType)
    {
        var timestamp = Now();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"v0:{timestamp}:"), .. body];
        request.Headers.Add("X-Slack-Signature", "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), signed)));
        return await Http.SendAsync(request);
    }

    public static string SlashCommandBody(string userId, string text) =>
        "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=" + TeamId + "&team_domain=example&channel_id=C2147483705&channel_name=general"
        + "&user_id=" + userId + "&user_name=steve&command=%2Fcobot&text=" + Uri.EscapeDataString(text)
        + "&api_app_id=A123456&is_enterprise_install=false"
        + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0";

    public Task<HttpResponseMessage> SlashCommand(string userId, string text = "") =>
        Send(SlashCommandBody(userId, text), "application/x-www-form-urlencoded");

    /// <summary>A block_actions payload as Slack sends it when <paramref name="userId"/> clicks a button of a posted message.</summary>
    public static string ClickBody(string userId, SlackCall message, string actionId, string actionTs, string trigger = "1")
    {
        var button = (message.Body["blocks"] as JsonArray ?? [])
            .OfType<JsonObject>().Where(b => b["type"]?.ToString() == "actions")
            .SelectMany(b => (b["elements"] as JsonArray ?? []).OfType<JsonObject>().Select(e => (Block: b, Element: e)))
            .Single(p => p.Element["action_id"]?.ToString() == actionId);
        var channel = message.Channel!;
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = "steve", ["name"] = "steve", ["team_id"] = TeamId },
            ["api_app_id"] = "A123456",
            ["token"] = "gIkuvaNzQIHg97ATvDxqgjtO",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = message.Ts, ["channel_id"] = channel, ["is_ephemeral"] = false },
            ["trigger_id"] = "1234567890." + trigger,
            ["team"] = new JsonObject { ["id"] = TeamId, ["domain"] = "example" },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["channel"] = new JsonObject { ["id"] = channel, ["name"] = "directmessage" },
            ["message"] = new JsonObject
            {
                ["type"] = "message",
                ["user"] = "U0BOT",
                ["ts"] = message.Ts,
                ["bot_id"] = "B0BOT",
                ["text"] = message.Body["text"]?.DeepClone(),
                ["blocks"] = message.Body["blocks"]?.DeepClone(),
            },
            ["state"] = new JsonObject { ["values"] = new JsonObject() },
            ["response_url"] = "https://hooks.slack.com/actions/T0TEST/1/abc",
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId,
                ["block_id"] = button.Block["block_id"]?.DeepClone(),
                ["text"] = button.Element["text"]?.DeepClone(),
                ["value"] = button.Element["value"]?.DeepClone(),
                ["type"] = "button",
                ["action_ts"] = actionTs,
            }),
        };
        return "payload=" + Uri.EscapeDataString(payload.ToJsonString());
    }

    public Task<HttpResponseMessage> Click(string userId, SlackCall message, string actionId, string actionTs, int? retryNum = null, string trigger = "1") =>
        Send(ClickBody(userId, message, actionId, actionTs, trigger), "application/x-www-form-urlencoded", retryNum: retryNum);

    public static string EventBody(string eventId, JsonObject ev) => new JsonObject
    {
        ["token"] = "gIkuvaNzQIHg97ATvDxqgjtO",
        ["team_id"] = TeamId,
        ["api_app_id"] = "A123456",
        ["event"] = ev,
        ["type"] = "event_callback",
        ["event_id"] = eventId,
        ["event_time"] = 1_700_000_000,
        ["authorizations"] = new JsonArray(new JsonObject { ["team_id"] = TeamId, ["user_id"] = "U0BOT", ["is_bot"] = true }),
    }.ToJsonString();

    /// <summary>Waits until the condition holds (the gateway works after answering 200).</summary>
    public static Task<T> Eventually<T>(Func<T?> probe, string what, int timeoutMs = 60_000)
        where T : class => Eventually<T>(() => Task.FromResult(probe()), what, timeoutMs);

    /// <summary>As the other overload, for a probe that reads asynchronously (e.g. the gateway's stores).</summary>
    public static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what, int timeoutMs = 60_000)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for: " + what + "\n" + string.Join("\n", TestLog.Lines.TakeLast(10)));
            }

            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        await Slack.DisposeAsync();
        Platform?.Dispose();
        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
        }

        await CoConstruisons.Tests.Shared.TestDatabase.DropSchemaAsync(_schema);
        if (Directory.Exists(_storage))
        {
            Directory.Delete(_storage, recursive: true);
        }
    }
}

[CollectionDefinition(nameof(GatewayCollection))]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>;
