using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoConstruisons.Gateways.Slack;

/// <summary>Slack answered <c>{"ok": false, "error": "…"}</c> (or could not be reached); <see cref="Error"/> is Slack's error code.</summary>
public sealed class SlackApiException(string method, string error)
    : Exception($"Slack {method} a échoué / failed: {error}")
{
    public string Method { get; } = method;

    public string Error { get; } = error;
}

/// <summary>The message Slack stored: its channel and timestamp (the message id).</summary>
public sealed record PostedMessage(string Channel, string Ts);

/// <summary>The few Slack Web API methods the gateway uses.</summary>
public interface ISlackWebApi
{
    Task<PostedMessage> PostMessageAsync(string channel, string text, JsonArray? blocks, CancellationToken ct);

    Task<PostedMessage> UpdateMessageAsync(string channel, string ts, string text, JsonArray? blocks, CancellationToken ct);

    /// <summary>conversations.open with one user: the id of the direct-message channel with them.</summary>
    Task<string> OpenDirectMessageAsync(string userId, CancellationToken ct);

    Task PublishHomeAsync(string userId, JsonObject view, CancellationToken ct);
}

/// <summary>
/// Slack Web API over HTTP as documented: POST JSON with "Authorization: Bearer xoxb-…" and
/// "Content-Type: application/json; charset=utf-8"; a reply with ok=false raises
/// <see cref="SlackApiException"/>; HTTP 429 waits for Retry-After and tries again (a few times).
/// </summary>
public sealed partial class SlackWebApi(HttpClient http, SlackGatewaySettings settings, TimeProvider clock, ILogger<SlackWebApi> logger) : ISlackWebApi
{
    public const int MaxAttempts = 4;
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    public async Task<PostedMessage> PostMessageAsync(string channel, string text, JsonArray? blocks, CancellationToken ct)
    {
        var body = new JsonObject { ["channel"] = channel, ["text"] = text };
        if (blocks is not null)
        {
            body["blocks"] = blocks;
        }

        var reply = await CallAsync("chat.postMessage", body, ct);
        return new PostedMessage(reply["channel"]?.GetValue<string>() ?? channel, reply["ts"]?.GetValue<string>() ?? "");
    }

    public async Task<PostedMessage> UpdateMessageAsync(string channel, string ts, string text, JsonArray? blocks, CancellationToken ct)
    {
        var body = new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text };
        body["blocks"] = blocks ?? [];
        var reply = await CallAsync("chat.update", body, ct);
        return new PostedMessage(reply["channel"]?.GetValue<string>() ?? channel, reply["ts"]?.GetValue<string>() ?? ts);
    }

    public async Task<string> OpenDirectMessageAsync(string userId, CancellationToken ct)
    {
        var reply = await CallAsync("conversations.open", new JsonObject { ["users"] = userId }, ct);
        return reply["channel"]?["id"]?.GetValue<string>()
            ?? throw new SlackApiException("conversations.open", "missing_channel_id");
    }

    public async Task PublishHomeAsync(string userId, JsonObject view, CancellationToken ct) =>
        await CallAsync("views.publish", new JsonObject { ["user_id"] = userId, ["view"] = view }, ct);

    private async Task<JsonObject> CallAsync(string method, JsonObject body, CancellationToken ct)
    {
        var json = body.ToJsonString();
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.SlackApiUrl, method));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.BotToken);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request, ct);

            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new SlackApiException(method, "ratelimited");
                }

                var wait = RetryAfter(response);
                LogRateLimited(method, wait.TotalSeconds, attempt);
                await Task.Delay(wait, clock, ct);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new SlackApiException(method, "http_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }

            JsonObject? reply;
            try
            {
                reply = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject;
            }
            catch (JsonException)
            {
                reply = null;
            }

            if (reply is null)
            {
                throw new SlackApiException(method, "invalid_response");
            }

            if (reply["ok"]?.GetValueKind() != JsonValueKind.True)
            {
                throw new SlackApiException(method, reply["error"]?.ToString() ?? "unknown_error");
            }

            return reply;
        }
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        return wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} rate limited: retrying in {Seconds} s (attempt {Attempt})")]
    private partial void LogRateLimited(string method, double seconds, int attempt);
}
