namespace CoConstruisons.Domain.Assignment;

/// <summary>
/// Adaptive redundancy: an item stops being asked once its consensus is confident enough with at
/// least <see cref="MinAnswers"/> answers, or once it has <see cref="MaxAnswers"/> answers.
/// "Don't know" answers are recorded but do not count here.
/// </summary>
public sealed record RetirementPolicy(int MinAnswers, int MaxAnswers, double ConfidenceTarget)
{
    public bool ShouldRetire(int evidence, double confidence) =>
        evidence >= MaxAnswers || (evidence >= MinAnswers && confidence >= ConfidenceTarget);

    /// <summary>How many more answers the item may still receive.</summary>
    public int OpenSlots(int evidence) => Math.Max(0, MaxAnswers - evidence);

    /// <summary>
    /// Confidence in the leading choice when every contributor is assumed right with probability
    /// <paramref name="accuracy"/> and wrong uniformly otherwise (a one-coin model with equal skills),
    /// from a uniform prior over <paramref name="choiceCount"/> choices. Used until per-contributor
    /// skills are known.
    /// </summary>
    public static double EqualSkillConfidence(IReadOnlyDictionary<string, int> votes, int choiceCount, double accuracy = 0.8)
    {
        ArgumentNullException.ThrowIfNull(votes);
        if (votes.Count == 0 || choiceCount < 2)
        {
            return 0;
        }

        var logRatio = Math.Log(accuracy / ((1 - accuracy) / (choiceCount - 1)));
        var max = votes.Values.Max();
        var unseen = choiceCount - votes.Count;
        var denominator = unseen * Math.Exp(-max * logRatio) + votes.Values.Sum(n => Math.Exp((n - max) * logRatio));
        return 1 / denominator;
    }
}
