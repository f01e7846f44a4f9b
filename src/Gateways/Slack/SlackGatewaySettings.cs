using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Gateways.Slack.Campaigns;

namespace CoConstruisons.Gateways.Slack;

/// <summary>A required setting is missing or malformed; the message names every one of them.</summary>
public sealed class SlackSettingsException(string message) : Exception(message);

/// <summary>How the message texts sound: plain, light-hearted, or about what the answers make possible.</summary>
public enum Tone
{
    Neutral,
    Playful,
    Impact,
}

/// <summary>
/// The gateway's settings, read from configuration (environment variables of the same names):
/// SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, COBOT_API_KEY and COBOT_PROJECT_ID (the project's id, a GUID)
/// are required. <see cref="ReadAll"/> reads them with the nudge schedule's, so that one message names
/// every missing or malformed setting.
/// </summary>
public sealed record SlackGatewaySettings
{
    public const string DefaultSlackApiUrl = "https://slack.com/api/";
    public const string DefaultCobotApiUrl = "http://127.0.0.1:8002";
    public const string DefaultListenUrl = "http://127.0.0.1:8001";

    public required string SigningSecret { get; init; }

    /// <summary>
    /// A 256-bit key for one use (<paramref name="purpose"/>, e.g. "slack-address-v1"), derived (HKDF-SHA256) from the app's
    /// signing secret: every gateway node of the app derives the same one, the platform never sees it, and each use has
    /// its own key.
    /// </summary>
    public byte[] KeyFor(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(SigningSecret), 32,
            salt: Encoding.UTF8.GetBytes("coconstruisons-cobot"), info: Encoding.UTF8.GetBytes(purpose));
    public required string BotToken { get; init; }
    public required Uri SlackApiUrl { get; init; }
    public required Uri CobotApiUrl { get; init; }
    public required string CobotApiKey { get; init; }
    public required string ProjectId { get; init; }
    public required string ListenUrl { get; init; }
    public required string DataDirectory { get; init; }

    /// <summary>"fr" (default) or "en".</summary>
    public required string Language { get; init; }

    public required Tone Tone { get; init; }

    /// <summary>Parallel workers (COBOT_WORKERS, 1–64, default 8); one user's work always goes to the same one.</summary>
    public int Workers { get; init; } = 8;

    /// <summary>Work items each worker's queue holds before new events are refused with 503 (Slack then retries them).</summary>
    public int QueueCapacity { get; init; } = 10_000;

    public bool English => Language == "en";

    /// <summary>The gateway's settings and its nudge schedule; every problem of either is named in one exception.</summary>
    public static (SlackGatewaySettings Settings, NudgeSchedule Schedule) ReadAll(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var settings = Read(configuration, problems);
        var schedule = NudgeSchedule.Read(configuration, problems);
        ThrowIfAny(problems);
        return (settings, schedule);
    }

    /// <summary>The gateway's own settings (not the nudge schedule's); every problem is named in one exception.</summary>
    public static SlackGatewaySettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var settings = Read(configuration, problems);
        ThrowIfAny(problems);
        return settings;
    }

    private static void ThrowIfAny(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new SlackSettingsException(
                "Passerelle Slack : réglages manquants ou invalides / Slack gateway: missing or invalid settings: "
                + string.Join(", ", problems) + ".");
        }
    }

    /// <summary>The settings, adding each problem to <paramref name="problems"/> (the result is only meant to be used when there is none).</summary>
    internal static SlackGatewaySettings Read(IConfiguration configuration, List<string> problems)
    {
        string Required(string key)
        {
            var value = configuration[key];
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add($"{key} (manquant / missing)");
                return "";
            }

            return value.Trim();
        }

        Uri Url(string key, string fallback)
        {
            var value = configuration[key];
            var text = string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                problems.Add($"{key} (URL http(s) absolue attendue / absolute http(s) URL expected: « {text} »)");
                return new Uri(fallback);
            }

            return uri;
        }

        var signing = Required("SLACK_SIGNING_SECRET");
        var bot = Required("SLACK_BOT_TOKEN");
        var key = Required("COBOT_API_KEY");
        var project = Required("COBOT_PROJECT_ID");
        if (project.Length > 0)
        {
            // The platform's ids are GUIDs: anything else would be refused by every call, after a start that looked fine.
            if (Guid.TryParse(project, out var projectId) && projectId != Guid.Empty)
            {
                project = projectId.ToString();
            }
            else
            {
                problems.Add($"COBOT_PROJECT_ID (identifiant de projet attendu, un GUID / a project id expected, a GUID: « {project} »)");
            }
        }

        var slackApi = Url("SLACK_API_URL", DefaultSlackApiUrl);
        if (!slackApi.AbsoluteUri.EndsWith('/'))
        {
            slackApi = new Uri(slackApi.AbsoluteUri + "/");
        }

        var cobotApi = Url("COBOT_API_URL", DefaultCobotApiUrl);
        var listen = Url("SLACK_GATEWAY_URL", DefaultListenUrl);

        var language = (configuration["COBOT_LANGUAGE"] ?? "fr").Trim().ToLowerInvariant();
        if (language is not ("fr" or "en"))
        {
            problems.Add($"COBOT_LANGUAGE (« fr » ou « en » / 'fr' or 'en': « {language} »)");
        }

        var toneText = (configuration["COBOT_TONE"] ?? nameof(Tone.Impact)).Trim();
        if (!Enum.TryParse<Tone>(toneText, ignoreCase: true, out var tone) || !Enum.IsDefined(tone))
        {
            problems.Add($"COBOT_TONE (neutral, playful ou/or impact: « {toneText} »)");
        }

        var workersText = configuration["COBOT_WORKERS"];
        var workers = 8;
        if (!string.IsNullOrWhiteSpace(workersText)
            && (!int.TryParse(workersText, NumberStyles.None, CultureInfo.InvariantCulture, out workers) || workers is < 1 or > 64))
        {
            problems.Add($"COBOT_WORKERS (1 à/to 64: « {workersText} »)");
        }

        return new SlackGatewaySettings
        {
            SigningSecret = signing,
            BotToken = bot,
            SlackApiUrl = slackApi,
            CobotApiUrl = cobotApi,
            CobotApiKey = key,
            ProjectId = project,
            ListenUrl = listen.GetLeftPart(UriPartial.Authority),
            DataDirectory = Path.GetFullPath(configuration["COBOT_DATA_DIR"] is { Length: > 0 } dir ? dir : Path.Combine(".data", "slack")),
            Language = language,
            Tone = tone,
            Workers = workers,
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Slack gateway on {ListenUrl}, platform {CobotApiUrl}, project {ProjectId}, Slack API {SlackApiUrl}, data {DataDirectory}");
}
