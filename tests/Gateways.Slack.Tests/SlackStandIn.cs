using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>One call the gateway made to the stand-in Slack Web API.</summary>
public sealed record SlackCall(string Method, string? Authorization, string? ContentType, JsonObject Body, string? Ts)
{
    public string? Channel => Body["channel"]?.ToString();

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body as readable JSON (accents and apostrophes unescaped).</summary>
    public string Json => Body.ToJsonString(Relaxed);
}

/// <summary>
/// A tiny local Slack Web API on Kestrel: records every call and answers like Slack does
/// (conversations.open → a D… channel, chat.postMessage → a fresh ts, chat.update, views.publish).
/// </summary>
public sealed class SlackStandIn : IAsyncDisposable
{
    private readonly ConcurrentQueue<SlackCall> _calls = new();
    private long _ts = 1_700_000_000_000_100;
    private WebApplication? _app;

    public Uri ApiUrl { get; private set; } = null!;

    public IReadOnlyList<SlackCall> Calls => [.. _calls];

    public async Task StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.Sources.Clear(); // not the Api's appsettings.json (copied next to the tests) and its Kestrel endpoints
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _app = builder.Build();
        _app.MapPost("/api/{method}", async (string method, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? [];
            var ts = Interlocked.Increment(ref _ts).ToString(CultureInfo.InvariantCulture).Insert(10, ".");
            _calls.Enqueue(new SlackCall(method, request.Headers.Authorization.ToString(), request.ContentType, body,
                method == "chat.postMessage" ? ts : body["ts"]?.ToString()));
            JsonObject reply = method switch
            {
                "conversations.open" => new() { ["ok"] = true, ["channel"] = new JsonObject { ["id"] = "D" + body["users"] } },
                "chat.postMessage" => new() { ["ok"] = true, ["channel"] = body["channel"]?.DeepClone(), ["ts"] = ts, ["message"] = body.DeepClone() },
                "chat.update" => new() { ["ok"] = true, ["channel"] = body["channel"]?.DeepClone(), ["ts"] = body["ts"]?.DeepClone(), ["text"] = body["text"]?.DeepClone() },
                "views.publish" => new() { ["ok"] = true, ["view"] = new JsonObject { ["id"] = "V" + ts } },
                _ => new() { ["ok"] = false, ["error"] = "unknown_method" },
            };
            return Results.Text(reply.ToJsonString(), "application/json; charset=utf-8");
        });
        await _app.StartAsync();
        ApiUrl = new Uri($"http://127.0.0.1:{port}/api/");
    }

    /// <summary>The messages posted in a channel, with the ts the stand-in gave them.</summary>
    public IReadOnlyList<SlackCall> Posted(string channel) => [.. Calls.Where(c => c.Method == "chat.postMessage" && c.Channel == channel)];

    public IReadOnlyList<SlackCall> Updates(string channel, string ts) =>
        [.. Calls.Where(c => c.Method == "chat.update" && c.Channel == channel && c.Body["ts"]?.ToString() == ts)];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
