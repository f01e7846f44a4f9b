using System.Text.Json.Nodes;

namespace CoConstruisons.Gateways.Slack;

/// <summary>Block Kit pieces, as Slack documents them (section, context, image, actions, button).</summary>
public static class SlackBlocks
{
    /// <summary>Slack refuses a text object longer than this (a project's description or instructions may be longer).</summary>
    public const int MaxText = 3000;

    /// <summary><paramref name="text"/> within <paramref name="max"/> characters: cut at a word boundary with "…" when longer.</summary>
    public static string Fit(string text, int max = MaxText)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        return (space > max / 2 ? cut[..space] : cut).TrimEnd() + "…";
    }

    public static JsonObject Section(string markdown) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Fit(markdown) },
    };

    public static JsonObject Header(string text) => new()
    {
        ["type"] = "header",
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = text.Length > 150 ? text[..150] : text },
    };

    public static JsonObject Context(string markdown) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = Fit(markdown) }),
    };

    public static JsonObject Image(string url, string alt) => new()
    {
        ["type"] = "image",
        ["image_url"] = url,
        ["alt_text"] = alt,
    };

    public static JsonObject Button(string text, string actionId, string? value = null, string? style = null)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["action_id"] = actionId,
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = text.Length > 75 ? text[..75] : text, ["emoji"] = true },
        };
        if (value is not null)
        {
            button["value"] = value;
        }

        if (style is not null)
        {
            button["style"] = style;
        }

        return button;
    }

    /// <summary>A button that Slack confirms in a dialog before sending the click (Block Kit "confirmation dialog object").</summary>
    public static JsonObject Confirmed(JsonObject button, string title, string text, string confirm, string deny)
    {
        static JsonObject Plain(string value, int max) => new() { ["type"] = "plain_text", ["text"] = value.Length > max ? value[..max] : value };
        button["confirm"] = new JsonObject
        {
            ["title"] = Plain(title, 100),
            ["text"] = Plain(text, 300),
            ["confirm"] = Plain(confirm, 30),
            ["deny"] = Plain(deny, 30),
            ["style"] = "danger",
        };
        return button;
    }

    public static JsonObject Actions(string blockId, IEnumerable<JsonObject> buttons) => new()
    {
        ["type"] = "actions",
        ["block_id"] = blockId,
        ["elements"] = new JsonArray([.. buttons]),
    };

    /// <summary>The blocks of a message without its buttons (after an answer, a stop, a consent).</summary>
    public static JsonArray WithoutActions(JsonArray? blocks) =>
        blocks is null ? [] : new JsonArray([.. blocks.OfType<JsonObject>().Where(b => b["type"]?.ToString() != "actions").Select(b => b.DeepClone())]);
}
