namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// Which answers may teach contributors' skills: those on items that other answers can check (at
/// least <c>minAnswers</c> answers that are not "don't know"), and every answer on a gold item. An
/// item answered once can only agree with its own answer, which would count as a success for its
/// author: in adaptive collection (an item retired on one trusted answer stays so) that feeds itself.
/// The platform's refits and the OpenSolarMap replay both use it (docs/opensolarmap.md).
/// </summary>
public static class CheckedAnswers
{
    /// <summary>The default: an answer is checked when at least one other answer exists on its item.</summary>
    public const int DefaultMinAnswers = 2;

    public static IReadOnlyList<CrowdAnswer> Select(
        IReadOnlyList<CrowdAnswer> answers, int minAnswers = DefaultMinAnswers, IReadOnlyDictionary<string, string>? gold = null, string dontKnow = Projects.Choice.DontKnowKey)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (minAnswers <= 1)
        {
            return answers;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in answers)
        {
            if (a.Label != dontKnow)
            {
                counts[a.Item] = counts.GetValueOrDefault(a.Item) + 1;
            }
        }

        return [.. answers.Where(a => counts.GetValueOrDefault(a.Item) >= minAnswers || (gold?.ContainsKey(a.Item) ?? false))];
    }
}
