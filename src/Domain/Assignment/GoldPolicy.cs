namespace CoConstruisons.Domain.Assignment;

/// <summary>
/// How often a gold item (known answer) is mixed in: often for newcomers, less as a contributor
/// proves reliable, and back up when they miss. Rate = clamp(base / (1 + correct − 2·wrong), floor, base).
/// </summary>
public static class GoldPolicy
{
    public const double BaseRate = 0.25;
    public const double FloorRate = 0.02;

    public static double Rate(int goldAnswered, int goldCorrect)
    {
        var wrong = goldAnswered - goldCorrect;
        var trust = 1 + goldCorrect - (2 * wrong);
        return trust <= 1 ? BaseRate : Math.Clamp(BaseRate / trust, FloorRate, BaseRate);
    }
}
