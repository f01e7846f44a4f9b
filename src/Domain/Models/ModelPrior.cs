namespace CoConstruisons.Domain.Models;

/// <summary>
/// A model's prediction as an item prior in consensus, as in the replay's item priors
/// (<c>ReplayOptions.ItemPriors</c>, measured by <c>bench loop</c>): the calibrated posterior
/// p(c | image) divided by the class shares of the model's training labels (a likelihood, so the
/// consensus's own class prior is not counted twice), floored at <see cref="ProbabilityFloor"/>,
/// raised to the owner's weight and added, in log, to the item's belief before its answers.
/// The prior enters an item's label and confidence only, never the learning of skills.
/// </summary>
public static class ModelPrior
{
    /// <summary>Probabilities are floored before they become priors (a model never vetoes every answer); the replay's floor.</summary>
    public const double ProbabilityFloor = 1e-4;

    /// <summary>
    /// Weight × log(max(p_c, floor) / share_c) per choice, in <paramref name="choices"/> order, or
    /// null when no prior applies: weight 0 (or not finite), no prediction, an item the model was
    /// trained on (its label came from the crowd: in-sample and circular), or a model that gives
    /// no probability for one of the choices (it was not trained on every class). Missing or
    /// non-positive shares count as equal shares.
    /// </summary>
    public static double[]? LogScores(
        IReadOnlyList<string> choices,
        IReadOnlyDictionary<string, double>? probabilities,
        IReadOnlyDictionary<string, double>? classShares,
        bool inTrainingSet,
        double weight)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (!(weight > 0 && double.IsFinite(weight)) || probabilities is null || inTrainingSet || choices.Count < 2)
        {
            return null;
        }

        var scores = new double[choices.Count];
        for (var c = 0; c < choices.Count; c++)
        {
            if (!probabilities.TryGetValue(choices[c], out var p) || double.IsNaN(p))
            {
                return null;
            }

            var share = classShares is not null && classShares.TryGetValue(choices[c], out var s) && s > 0 && double.IsFinite(s)
                ? s
                : 1.0 / choices.Count;
            scores[c] = weight * Math.Log(Math.Max(p, ProbabilityFloor) / share);
        }

        // Only differences between choices matter: centre them so the numbers read as log-odds-like.
        var mean = scores.Average();
        for (var c = 0; c < scores.Length; c++)
        {
            scores[c] -= mean;
        }

        return scores;
    }

    /// <summary>
    /// The belief's log-scores with <paramref name="previous"/> (the prior they hold, null = none)
    /// replaced by <paramref name="next"/> (null = none): belief = prior + evidence, so the
    /// evidence part is kept exactly and only the prior changes.
    /// </summary>
    public static double[] Rebase(IReadOnlyList<double> logScores, IReadOnlyList<double>? previous, IReadOnlyList<double>? next)
    {
        ArgumentNullException.ThrowIfNull(logScores);
        var result = logScores.ToArray();
        for (var c = 0; c < result.Length; c++)
        {
            result[c] += (next is not null && c < next.Count ? next[c] : 0) - (previous is not null && c < previous.Count ? previous[c] : 0);
        }

        return result;
    }

    /// <summary>Whether two priors are the same (both none, or equal per choice to 1e-9).</summary>
    public static bool Same(IReadOnlyList<double>? a, IReadOnlyList<double>? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var c = 0; c < a.Count; c++)
        {
            if (Math.Abs(a[c] - b[c]) > 1e-9)
            {
                return false;
            }
        }

        return true;
    }
}
