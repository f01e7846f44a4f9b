using System.Globalization;

namespace CoConstruisons.Gateways.Slack.Campaigns;

/// <summary>How each invitation asks: one image, or a series of five in a row.</summary>
public enum QuestionMode
{
    Single,
    Series,
}

/// <summary>Why a member is (not) invited now.</summary>
public enum NudgeVerdict
{
    Send,
    NotConsented,
    Stopped,
    NoChannel,
    NotWorkingDay,
    QuietHours,
    AlreadyActiveToday,
    DailyCap,
    WeeklyCap,
}

/// <summary>
/// A campaign: how often Cobot invites (caps per person per day and per rolling week), when
/// (working days, outside quiet hours, in the campaign's time zone), in which tone and question mode.
/// Pure: every decision takes "now" as an argument.
/// </summary>
public sealed record CampaignRules
{
    public const int SeriesLength = 5;

    public bool Enabled { get; init; } = true;
    public int MaxPerDay { get; init; } = 1;
    public int MaxPerWeek { get; init; } = 3;

    /// <summary>Quiet hours start (local time); may wrap past midnight, e.g. 20:00 → 09:00.</summary>
    public TimeOnly QuietFrom { get; init; } = new(20, 0);
    public TimeOnly QuietUntil { get; init; } = new(9, 0);
    public IReadOnlySet<DayOfWeek> WorkingDays { get; init; } = new HashSet<DayOfWeek>
    {
        DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday,
    };

    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    public Tone Tone { get; init; } = Tone.Impact;
    public QuestionMode Mode { get; init; } = QuestionMode.Single;

    /// <summary>Quartz cron expression of the nudge round (each round decides per member).</summary>
    public string Cron { get; init; } = "0 0/15 * * * ?";

    /// <summary>PostgreSQL connection string of Quartz's clustered job store; empty = in-memory store (one node).</summary>
    public string QuartzConnection { get; init; } = "";

    public int QuestionsPerInvitation => Mode == QuestionMode.Series ? SeriesLength : 1;

    public NudgeVerdict Decide(SlackMember member, DateTimeOffset now)
    {
        if (member.Consent != ConsentState.Accepted)
        {
            return NudgeVerdict.NotConsented;
        }

        if (member.Stopped)
        {
            return NudgeVerdict.Stopped;
        }

        if (string.IsNullOrEmpty(member.DirectChannel))
        {
            return NudgeVerdict.NoChannel;
        }

        var local = TimeZoneInfo.ConvertTime(now, TimeZone);
        if (!WorkingDays.Contains(local.DayOfWeek))
        {
            return NudgeVerdict.NotWorkingDay;
        }

        if (IsQuiet(TimeOnly.FromDateTime(local.DateTime)))
        {
            return NudgeVerdict.QuietHours;
        }

        var today = DateOnly.FromDateTime(local.DateTime);
        if (member.LastAnswerDay == today)
        {
            return NudgeVerdict.AlreadyActiveToday;
        }

        if (member.Nudges.Count(n => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(n, TimeZone).DateTime) == today) >= MaxPerDay)
        {
            return NudgeVerdict.DailyCap;
        }

        return member.Nudges.Count(n => now - n < TimeSpan.FromDays(7)) >= MaxPerWeek ? NudgeVerdict.WeeklyCap : NudgeVerdict.Send;
    }

    public bool IsQuiet(TimeOnly local) => QuietFrom == QuietUntil
        ? false
        : QuietFrom < QuietUntil
            ? local >= QuietFrom && local < QuietUntil
            : local >= QuietFrom || local < QuietUntil;

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

    /// <summary>Reads COBOT_CAMPAIGN_* settings; every bad value is named in one error.</summary>
    public static CampaignRules From(IConfiguration configuration, Tone tone)
    {
        var problems = new List<string>();
        var rules = new CampaignRules { Tone = tone };

        int Int(string key, int fallback)
        {
            var text = configuration[key];
            if (string.IsNullOrWhiteSpace(text))
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            problems.Add($"{key} (entier ≥ 0 / integer ≥ 0: « {text} »)");
            return fallback;
        }

        var enabled = configuration["COBOT_CAMPAIGN_ENABLED"];
        var quiet = configuration["COBOT_QUIET_HOURS"];
        TimeOnly from = rules.QuietFrom, until = rules.QuietUntil;
        if (!string.IsNullOrWhiteSpace(quiet))
        {
            var parts = quiet.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out from)
                || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out until))
            {
                problems.Add($"COBOT_QUIET_HOURS (HH:mm-HH:mm, ex. 20:00-09:00: « {quiet} »)");
            }
        }

        var days = rules.WorkingDays;
        var daysText = configuration["COBOT_WORKING_DAYS"];
        if (!string.IsNullOrWhiteSpace(daysText))
        {
            var parsed = new HashSet<DayOfWeek>();
            foreach (var token in daysText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var day = Enum.GetValues<DayOfWeek>().FirstOrDefault(d => d.ToString().StartsWith(token, StringComparison.OrdinalIgnoreCase) && token.Length >= 3, (DayOfWeek)(-1));
                if ((int)day < 0)
                {
                    problems.Add($"COBOT_WORKING_DAYS (mon,tue,…: « {token} »)");
                }
                else
                {
                    parsed.Add(day);
                }
            }

            days = parsed;
        }

        var zone = rules.TimeZone;
        var zoneText = configuration["COBOT_TIME_ZONE"];
        if (!string.IsNullOrWhiteSpace(zoneText) && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneText, out zone))
        {
            problems.Add($"COBOT_TIME_ZONE (ex. Europe/Paris: « {zoneText} »)");
            zone = rules.TimeZone;
        }

        var modeText = configuration["COBOT_QUESTION_MODE"];
        var mode = QuestionMode.Single;
        if (!string.IsNullOrWhiteSpace(modeText) && !(Enum.TryParse(modeText, ignoreCase: true, out mode) && Enum.IsDefined(mode)))
        {
            problems.Add($"COBOT_QUESTION_MODE (single ou/or series: « {modeText} »)");
        }

        var cron = configuration["COBOT_NUDGE_CRON"] is { Length: > 0 } c ? c : rules.Cron;
        if (!IsValidCron(cron))
        {
            problems.Add($"COBOT_NUDGE_CRON (expression cron Quartz / Quartz cron expression: « {cron} »)");
        }

        var result = rules with
        {
            Enabled = string.IsNullOrWhiteSpace(enabled) || !enabled.Trim().Equals("false", StringComparison.OrdinalIgnoreCase),
            MaxPerDay = Int("COBOT_NUDGES_PER_DAY", rules.MaxPerDay),
            MaxPerWeek = Int("COBOT_NUDGES_PER_WEEK", rules.MaxPerWeek),
            QuietFrom = from,
            QuietUntil = until,
            WorkingDays = days,
            TimeZone = zone!,
            Mode = mode,
            Cron = cron,
            QuartzConnection = configuration["COBOT_QUARTZ_CONNECTION"]?.Trim() ?? "",
        };
        if (problems.Count > 0)
        {
            throw new SlackSettingsException("Campagne : réglages invalides / campaign: invalid settings: " + string.Join(", ", problems) + ".");
        }

        return result;
    }
}
