namespace CoConstruisons.Domain.Campaigns;

/// <summary>How invitations sound: plain, light-hearted, or about what the answers make possible.</summary>
public enum Tone
{
    Neutral,
    Playful,
    Impact,
}

/// <summary>How each invitation asks: one image, or a series of five in a row.</summary>
public enum QuestionMode
{
    Single,
    Series,
}

/// <summary>Why a contributor is (not) invited now.</summary>
public enum NudgeVerdict
{
    Send,
    NotConsented,
    Stopped,
    NoAddress,
    NotWorkingDay,
    QuietHours,
    AlreadyActiveToday,
    DailyCap,
    WeeklyCap,
    Disabled,
}
