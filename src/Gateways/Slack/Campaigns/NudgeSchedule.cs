namespace CoConstruisons.Gateways.Slack.Campaigns;

/// <summary>
/// When this gateway asks the platform for a nudge round. The campaign itself (caps, quiet hours,
/// working days, tone, question mode, messages) is the project's, kept and applied by the platform
/// (CampaignService; owners edit it in the portal). Settings: COBOT_CAMPAIGN_ENABLED,
/// COBOT_NUDGE_CRON (Quartz cron, default every 15 minutes), COBOT_NUDGE_TIME_ZONE (of the cron,
/// default Europe/Paris), COBOT_QUARTZ_CONNECTION (PostgreSQL for a clustered job store; empty = in memory).
/// </summary>
public sealed record NudgeSchedule
{
    /// <summary>Settings that moved to the platform's campaign: refused here so nobody believes they still apply.</summary>
    public static readonly string[] MovedToPlatform =
        ["COBOT_NUDGES_PER_DAY", "COBOT_NUDGES_PER_WEEK", "COBOT_QUIET_HOURS", "COBOT_WORKING_DAYS", "COBOT_QUESTION_MODE", "COBOT_TIME_ZONE"];

    public bool Enabled { get; init; } = true;

    public string Cron { get; init; } = "0 0/15 * * * ?";

    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public string QuartzConnection { get; init; } = "";

    /// <summary>The schedule alone; its problems are named in one exception (the gateway reads it with its other settings: SlackGatewaySettings.ReadAll).</summary>
    public static NudgeSchedule From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var schedule = Read(configuration, problems);
        if (problems.Count > 0)
        {
            throw new SlackSettingsException("Invitations : réglages invalides / nudges: invalid settings: " + string.Join(", ", problems) + ".");
        }

        return schedule;
    }

    /// <summary>The schedule, adding each problem to <paramref name="problems"/> (the result is only meant to be used when there is none).</summary>
    internal static NudgeSchedule Read(IConfiguration configuration, List<string> problems)
    {
        foreach (var moved in MovedToPlatform.Where(k => !string.IsNullOrWhiteSpace(configuration[k])))
        {
            problems.Add($"{moved} (réglage de la campagne, désormais sur la plateforme : portail, page du projet / a campaign setting, now on the platform: portal, project page)");
        }

        var schedule = new NudgeSchedule();
        var cron = configuration["COBOT_NUDGE_CRON"] is { Length: > 0 } c ? c.Trim() : schedule.Cron;
        if (!IsValidCron(cron))
        {
            problems.Add($"COBOT_NUDGE_CRON (expression cron Quartz / Quartz cron expression: « {cron} »)");
        }

        var zone = schedule.TimeZone;
        var zoneText = configuration["COBOT_NUDGE_TIME_ZONE"];
        if (!string.IsNullOrWhiteSpace(zoneText) && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneText.Trim(), out zone))
        {
            problems.Add($"COBOT_NUDGE_TIME_ZONE (ex. Europe/Paris: « {zoneText} »)");
            zone = schedule.TimeZone;
        }

        var enabledText = configuration["COBOT_CAMPAIGN_ENABLED"]?.Trim();
        var enabled = true;
        if (!string.IsNullOrEmpty(enabledText) && !bool.TryParse(enabledText, out enabled))
        {
            problems.Add($"COBOT_CAMPAIGN_ENABLED (true ou/or false: « {enabledText} »)");
            enabled = true;
        }

        var connection = configuration["COBOT_QUARTZ_CONNECTION"]?.Trim() ?? "";
        if (connection.Length > 0 && !IsValidConnectionString(connection))
        {
            // Not echoed: it may hold a password.
            problems.Add("COBOT_QUARTZ_CONNECTION (chaîne de connexion PostgreSQL illisible / unreadable PostgreSQL connection string)");
        }

        return schedule with
        {
            Enabled = enabled,
            Cron = cron,
            TimeZone = zone!,
            QuartzConnection = connection,
        };
    }

    private static bool IsValidConnectionString(string connection)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connection);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsValidCron(string cron)
    {
        try
        {
            _ = new Quartz.CronExpression(cron);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
