namespace CoConstruisons.Domain.Campaigns;

/// <summary>
/// A campaign's rhythm: how often it invites (caps per person per day and per rolling week), when
/// (working days, outside quiet hours, in the campaign's time zone), in which tone and question mode.
/// Pure: every decision takes "now" as an argument.
/// </summary>
public sealed record CampaignRules
{
    public const int SeriesLength = 5;

    public bool Enabled { get; init; } = true;
    public int MaxPerDay { get; init; } = 1;
    public int MaxPerWeek { get; init; } = 3;

    /// <summary>Quiet hours start (local time); may wrap past midnight, e.g. 20:00 → 09:00. Equal bounds: never quiet.</summary>
    public TimeOnly QuietFrom { get; init; } = new(20, 0);
    public TimeOnly QuietUntil { get; init; } = new(9, 0);

    public IReadOnlyList<DayOfWeek> WorkingDays { get; init; } =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>IANA time zone id of quiet hours and working days.</summary>
    public string TimeZoneId { get; init; } = "Europe/Paris";

    public Tone Tone { get; init; } = Tone.Impact;
    public QuestionMode Mode { get; init; } = QuestionMode.Single;

    public int QuestionsPerInvitation => Mode == QuestionMode.Series ? SeriesLength : 1;

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    /// <summary>The local calendar day of an instant, in the campaign's time zone.</summary>
    public DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZone).DateTime);

    /// <summary>Decides whether one contributor is invited now.</summary>
    /// <param name="engagement">What the contributor agreed to and the nudges they already received.</param>
    /// <param name="lastAnswerAt">Their latest answer on the project, if any.</param>
    public NudgeVerdict Decide(Engagement engagement, DateTimeOffset? lastAnswerAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(engagement);
        if (!Enabled)
        {
            return NudgeVerdict.Disabled;
        }

        if (engagement.Consent != ConsentState.Accepted)
        {
            return NudgeVerdict.NotConsented;
        }

        if (engagement.OptedOut)
        {
            return NudgeVerdict.Stopped;
        }

        if (string.IsNullOrEmpty(engagement.Address))
        {
            return NudgeVerdict.NoAddress;
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
        if (lastAnswerAt is { } answered && LocalDay(answered) == today)
        {
            return NudgeVerdict.AlreadyActiveToday;
        }

        if (engagement.Nudges.Count(n => LocalDay(n) == today) >= MaxPerDay)
        {
            return NudgeVerdict.DailyCap;
        }

        return engagement.Nudges.Count(n => now - n < TimeSpan.FromDays(7)) >= MaxPerWeek ? NudgeVerdict.WeeklyCap : NudgeVerdict.Send;
    }

    public bool IsQuiet(TimeOnly local) => QuietFrom != QuietUntil
        && (QuietFrom < QuietUntil ? local >= QuietFrom && local < QuietUntil : local >= QuietFrom || local < QuietUntil);

    /// <summary>
    /// The caps of a frequency variant of an experiment: "daily" (1 a day, 7 a week), "three_a_week"
    /// (1 a day, 3 a week), "weekly" (1 a week); null for an unknown name (the campaign's own caps stay).
    /// </summary>
    public CampaignRules? WithFrequency(string variant) => variant switch
    {
        "daily" => this with { MaxPerDay = 1, MaxPerWeek = 7 },
        "three_a_week" => this with { MaxPerDay = 1, MaxPerWeek = 3 },
        "weekly" => this with { MaxPerDay = 1, MaxPerWeek = 1 },
        _ => null,
    };

    /// <summary>Every problem with these rules, in words (French, then English); empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxPerDay is < 0 or > 24)
        {
            problems.Add("Le plafond quotidien va de 0 à 24 / the daily cap is 0 to 24.");
        }

        if (MaxPerWeek < MaxPerDay || MaxPerWeek > 7 * 24)
        {
            problems.Add("Le plafond hebdomadaire est au moins le plafond quotidien (au plus 168) / the weekly cap is at least the daily cap (at most 168).");
        }

        if (WorkingDays.Count == 0)
        {
            problems.Add("Au moins un jour ouvré / at least one working day.");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out _))
        {
            problems.Add($"Fuseau horaire inconnu / unknown time zone: « {TimeZoneId} ».");
        }

        return problems;
    }
}
