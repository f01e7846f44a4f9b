using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace CoConstruisons.Gateways.Slack;

/// <summary>
/// The one URL Slack calls (/slack/events): Events API JSON (url_verification, event_callback),
/// interactivity (form field "payload"), and the /cobot slash command (form). Every request is
/// signature-checked first; then it is acknowledged at once and the work is queued.
/// </summary>
public sealed partial class SlackInbox(
    SlackSignatureVerifier verifier, SlackWorkQueue queue, SeenEvents seenEvents, CobotTexts texts, ILogger<SlackInbox> logger)
{
    public const int MaxBodyBytes = 1024 * 1024;

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http.Request);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var check = verifier.Verify(
            http.Request.Headers["X-Slack-Request-Timestamp"].ToString(),
            http.Request.Headers["X-Slack-Signature"].ToString(),
            body);
        if (check != SignatureCheck.Valid)
        {
            LogRejected(check);
            return Results.Unauthorized();
        }

        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        try
        {
            return mediaType switch
            {
                "application/json" => Event(body, http.Request.Headers["X-Slack-Retry-Num"].ToString()),
                "application/x-www-form-urlencoded" => Form(body),
                _ => Results.BadRequest("Unsupported content type."),
            };
        }
        catch (JsonException)
        {
            return Results.BadRequest("Invalid JSON.");
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private IResult Event(byte[] body, string retryNum)
    {
        var root = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        switch (root["type"]?.ToString())
        {
            case "url_verification":
                return Results.Text(root["challenge"]?.ToString() ?? "", "text/plain");
            case "event_callback":
                var eventId = root["event_id"]?.ToString() ?? "";
                if (eventId.Length > 0 && !seenEvents.TryReserve(eventId))
                {
                    LogDuplicateEvent(eventId, retryNum);
                    return Results.Ok();
                }

                var team = root["team_id"]?.ToString() ?? "";
                var ev = root["event"] as JsonObject;
                var user = ev?["user"]?.ToString() ?? "";
                if (ev is null || team.Length == 0 || user.Length == 0)
                {
                    return Results.Ok();
                }

                var queued = true;
                switch (ev["type"]?.ToString())
                {
                    case "app_home_opened":
                        queued = Enqueue(new HomeOpened(team, user, ev["tab"]?.ToString() ?? "home"));
                        break;
                    case "message" when ev["channel_type"]?.ToString() == "im" && ev["bot_id"] is null && ev["subtype"] is null:
                        var text = (ev["text"]?.ToString() ?? "").Trim().ToLowerInvariant();
                        queued = Enqueue(IsStop(text) ? new StopRequested(team, user, null, null, null) : new StartRequested(team, user));
                        break;
                }

                if (!queued)
                {
                    // Full: not acknowledged, so Slack sends it again (Events API retries); its retry must not count as a duplicate.
                    seenEvents.Forget(eventId);
                    return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
                }

                // After the work is in the journal: a crash before this line lets Slack's retry be done (twice at
                // worst), never lost; after it, the retry is known as a duplicate even by a restarted gateway.
                if (eventId.Length > 0)
                {
                    seenEvents.Keep(eventId);
                }

                return Results.Ok();
            default:
                return Results.Ok();
        }
    }

    private IResult Form(byte[] body)
    {
        var form = new FormReader(Encoding.UTF8.GetString(body)).ReadForm();
        if (form.TryGetValue("payload", out var payload))
        {
            Interaction(JsonNode.Parse(payload.ToString()) as JsonObject ?? throw new JsonException("not an object"));
            return Results.Ok();
        }

        if (form.TryGetValue("command", out _))
        {
            var team = form.TryGetValue("team_id", out var t) ? t.ToString() : "";
            var user = form.TryGetValue("user_id", out var u) ? u.ToString() : "";
            if (team.Length == 0 || user.Length == 0)
            {
                return Results.BadRequest("team_id and user_id are required.");
            }

            var text = (form.TryGetValue("text", out var x) ? x.ToString() : "").Trim().ToLowerInvariant();
            if (text is "aide" or "help" or "?")
            {
                return Ephemeral(texts.Help);
            }

            // A full queue is said, so the person can ask again (Slack does not retry slash commands).
            if (IsStop(text))
            {
                return Ephemeral(Enqueue(new StopRequested(team, user, null, null, null)) ? texts.StopAcknowledged : texts.Busy);
            }

            return Ephemeral(Enqueue(IsData(text) ? new DataRequested(team, user) : new StartRequested(team, user)) ? texts.OpeningDirectMessage : texts.Busy);
        }

        return Results.BadRequest("Neither payload nor command.");
    }

    private void Interaction(JsonObject payload)
    {
        if (payload["type"]?.ToString() != "block_actions")
        {
            return;
        }

        var team = payload["team"]?["id"]?.ToString() ?? payload["user"]?["team_id"]?.ToString() ?? "";
        var user = payload["user"]?["id"]?.ToString() ?? "";
        if (team.Length == 0 || user.Length == 0)
        {
            return;
        }

        var channel = payload["container"]?["channel_id"]?.ToString() ?? payload["channel"]?["id"]?.ToString();
        var messageTs = payload["message"]?["ts"]?.ToString() ?? payload["container"]?["message_ts"]?.ToString();
        var blocks = payload["message"]?["blocks"] as JsonArray;
        foreach (var action in (payload["actions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var id = action["action_id"]?.ToString() ?? "";
            var value = action["value"]?.ToString() ?? "";
            var actionTs = action["action_ts"]?.ToString() ?? "";
            switch (id)
            {
                case CobotConversation.AcceptAction or CobotConversation.DeclineAction:
                    _ = Enqueue(new ConsentAnswered(team, user, id == CobotConversation.AcceptAction, channel, messageTs, blocks));
                    break;
                case CobotConversation.EraseAction:
                    _ = Enqueue(new EraseRequested(team, user, channel, messageTs, blocks));
                    break;
                case CobotConversation.StopAction:
                    _ = Enqueue(new StopRequested(team, user, channel, messageTs, blocks));
                    break;
                case CobotConversation.StartAction or CobotConversation.NudgeStartAction:
                    _ = Enqueue(new StartRequested(team, user, id == CobotConversation.NudgeStartAction));
                    break;
                case var answer when answer.StartsWith(CobotConversation.AnswerActionPrefix, StringComparison.Ordinal)
                                     && channel is { Length: > 0 } && messageTs is { Length: > 0 } && actionTs.Length > 0:
                    _ = Enqueue(new AnswerClicked(team, user, channel, messageTs, actionTs, value, blocks));
                    break;
            }
        }
    }

    private static bool IsData(string text) => text is "données" or "donnees" or "mes données" or "mes donnees" or "data" or "my data";

    private static bool IsStop(string text) => text is "stop" or "arrêt" or "arret" or "arrêter" or "arreter" or "unsubscribe";

    private static IResult Ephemeral(string text) => Results.Json(new JsonObject { ["response_type"] = "ephemeral", ["text"] = text });

    private bool Enqueue(SlackWork work)
    {
        if (queue.TryEnqueue(work))
        {
            return true;
        }

        LogQueueFull(work.GetType().Name);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a request to /slack/events: signature {Check}")]
    private partial void LogRejected(SignatureCheck check);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored event {EventId} already received (retry {RetryNum})")]
    private partial void LogDuplicateEvent(string eventId, string retryNum);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack work queue full: dropped {Kind}")]
    private partial void LogQueueFull(string kind);
}
