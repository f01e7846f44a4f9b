using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace CoConstruisons.Gateways.Slack;

/// <summary>
/// The one URL Slack calls (/slack/events): Events API JSON (url_verification, event_callback),
/// interactivity (form field "payload"), and the /cobot slash command (form). Every request is
/// signature-checked first; then it is acknowledged at once and the work is queued. A signed body that
/// is not what Slack sends (not UTF-8, JSON with a duplicate key or an invalid string, a form beyond
/// FormReader's limits or with a field twice) is answered 400 with a short text, French then English,
/// before anything is queued.
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
        if (mediaType is not ("application/json" or "application/x-www-form-urlencoded"))
        {
            return Refuse("type de contenu non pris en charge", "unsupported content type");
        }

        if (!Utf8.IsValid(body))
        {
            return Refuse("le corps de la requête n'est pas en UTF-8 valide", "the request body is not valid UTF-8");
        }

        try
        {
            return mediaType == "application/json"
                ? Event(body, http.Request.Headers["X-Slack-Retry-Num"].ToString())
                : Form(body);
        }
        catch (MalformedRequestException ex)
        {
            return Refuse(ex.French, ex.English);
        }
    }

    /// <summary>400 with a short plain text, French then English (JSON would escape the accents).</summary>
    private static IResult Refuse(string french, string english) =>
        Results.Text($"Requête refusée : {french}. / Request refused: {english}.", "text/plain; charset=utf-8", Encoding.UTF8, StatusCodes.Status400BadRequest);

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
        var root = ParseObject(body);
        switch (Text(root, "type"))
        {
            case "url_verification":
                return Results.Text(Text(root, "challenge") ?? "", "text/plain");
            case "event_callback":
                var eventId = Text(root, "event_id") ?? "";
                if (eventId.Length > 0 && !seenEvents.TryReserve(eventId))
                {
                    LogDuplicateEvent(eventId, retryNum);
                    return Results.Ok();
                }

                var team = Text(root, "team_id") ?? "";
                var ev = root["event"] as JsonObject;
                var user = Text(ev, "user") ?? "";
                if (ev is null || team.Length == 0 || user.Length == 0)
                {
                    return Results.Ok();
                }

                var queued = true;
                switch (Text(ev, "type"))
                {
                    case "app_home_opened":
                        queued = Enqueue(new HomeOpened(team, user, Text(ev, "tab") ?? "home"));
                        break;
                    case "message" when Text(ev, "channel_type") == "im" && ev["bot_id"] is null && ev["subtype"] is null:
                        var text = (Text(ev, "text") ?? "").Trim().ToLowerInvariant();
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
        var form = ReadForm(body);
        if (form.TryGetValue("payload", out var payload))
        {
            return Interaction(ParseObject(Encoding.UTF8.GetBytes(payload.ToString())));
        }

        if (form.TryGetValue("command", out _))
        {
            var team = form.TryGetValue("team_id", out var t) ? t.ToString() : "";
            var user = form.TryGetValue("user_id", out var u) ? u.ToString() : "";
            if (team.Length == 0 || user.Length == 0)
            {
                return Refuse("team_id et user_id sont obligatoires", "team_id and user_id are required");
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

        return Refuse("ni payload ni command", "neither payload nor command");
    }

    private IResult Interaction(JsonObject payload)
    {
        if (Text(payload, "type") != "block_actions")
        {
            return Results.Ok();
        }

        var team = Text(payload["team"] as JsonObject, "id") ?? Text(payload["user"] as JsonObject, "team_id") ?? "";
        var user = Text(payload["user"] as JsonObject, "id") ?? "";
        if (team.Length == 0 || user.Length == 0)
        {
            return Refuse("block_actions sans team.id ou sans user.id (chaînes)", "block_actions without a team.id or a user.id (strings)");
        }

        var channel = Text(payload["container"] as JsonObject, "channel_id") ?? Text(payload["channel"] as JsonObject, "id");
        var messageTs = Text(payload["message"] as JsonObject, "ts") ?? Text(payload["container"] as JsonObject, "message_ts");
        var blocks = (payload["message"] as JsonObject)?["blocks"] as JsonArray;
        var works = new List<SlackWork>();
        foreach (var action in (payload["actions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var id = Text(action, "action_id") ?? "";
            var value = Text(action, "value") ?? "";
            var actionTs = Text(action, "action_ts") ?? "";
            switch (id)
            {
                case CobotConversation.AcceptAction or CobotConversation.DeclineAction:
                    works.Add(new ConsentAnswered(team, user, id == CobotConversation.AcceptAction, channel, messageTs, blocks));
                    break;
                case CobotConversation.EraseAction:
                    works.Add(new EraseRequested(team, user, channel, messageTs, blocks));
                    break;
                case CobotConversation.StopAction:
                    works.Add(new StopRequested(team, user, channel, messageTs, blocks));
                    break;
                case CobotConversation.StartAction or CobotConversation.NudgeStartAction:
                    works.Add(new StartRequested(team, user, id == CobotConversation.NudgeStartAction));
                    break;
                case var answer when answer.StartsWith(CobotConversation.AnswerActionPrefix, StringComparison.Ordinal)
                                     && channel is { Length: > 0 } && messageTs is { Length: > 0 } && actionTs.Length > 0:
                    works.Add(new AnswerClicked(team, user, channel, messageTs, actionTs, value, blocks));
                    break;
            }
        }

        foreach (var work in works)
        {
            _ = Enqueue(work);
        }

        return Results.Ok();
    }

    /// <summary>
    /// The body as a JSON object, checked whole before any of it is used: a duplicate key (JsonObject would throw
    /// on it, and which value wins would be a guess), a string that is not valid UTF-8 or UTF-16 once unescaped
    /// (a lone surrogate "\ud800"), malformed JSON or a value other than an object is refused. The whole body was
    /// checked to be UTF-8 before; GetString still refuses an escaped lone surrogate.
    /// </summary>
    private static JsonObject ParseObject(byte[] utf8)
    {
        try
        {
            using (var document = JsonDocument.Parse(utf8))
            {
                CheckStrings(document.RootElement);
            }

            return JsonNode.Parse(utf8) as JsonObject
                   ?? throw new MalformedRequestException("le JSON n'est pas un objet", "the JSON is not an object");
        }
        catch (JsonException)
        {
            throw new MalformedRequestException("JSON invalide", "invalid JSON");
        }
        catch (InvalidOperationException)
        {
            throw new MalformedRequestException("chaîne JSON indécodable", "JSON string that cannot be decoded");
        }
    }

    /// <summary>Reads every name and string (GetString throws on what cannot be decoded) and refuses a name twice in one object.</summary>
    private static void CheckStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!names.Add(property.Name))
                    {
                        throw new MalformedRequestException($"clé JSON « {Short(property.Name)} » en double", $"duplicate JSON key '{Short(property.Name)}'");
                    }

                    CheckStrings(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CheckStrings(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }

    /// <summary>The form's fields, each at most once; beyond FormReader's limits (1,024 fields, names of 2,048 characters) it is refused.</summary>
    private static Dictionary<string, StringValues> ReadForm(byte[] body)
    {
        Dictionary<string, StringValues> form;
        try
        {
            using var reader = new FormReader(Encoding.UTF8.GetString(body));
            form = reader.ReadForm();
        }
        catch (InvalidDataException)
        {
            throw new MalformedRequestException(
                string.Create(CultureInfo.GetCultureInfo("fr-FR"), $"formulaire trop grand (au plus {FormReader.DefaultValueCountLimit:N0} champs, noms de {FormReader.DefaultKeyLengthLimit:N0} caractères au plus)"),
                string.Create(CultureInfo.InvariantCulture, $"form too large (at most {FormReader.DefaultValueCountLimit:N0} fields, names of at most {FormReader.DefaultKeyLengthLimit:N0} characters)"));
        }

        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
            {
                throw new MalformedRequestException($"champ « {Short(name)} » en double", $"field '{Short(name)}' sent twice");
            }
        }

        return form;
    }

    /// <summary>A string property's value; null when absent or not a string (never an exception on an unexpected shape).</summary>
    private static string? Text(JsonObject? parent, string name) =>
        parent?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "…";

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

    /// <summary>A signed body that is not what Slack sends: answered 400 with this reason, nothing queued.</summary>
    private sealed class MalformedRequestException(string french, string english) : Exception(english)
    {
        public string French { get; } = french;

        public string English { get; } = english;
    }
}
