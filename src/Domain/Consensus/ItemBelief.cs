namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// The running belief about one item, as unnormalised log-probabilities per choice: start from
/// the class prior, add the log-likelihood of each answer given the answering contributor's skill.
/// Adding one answer costs one pass over the choices (no allocation), so a projection can update
/// an item's consensus on every AnswerSubmitted event. Given fixed skills this is exactly the
/// posterior a full refit computes.
/// </summary>
public sealed class ItemBelief
{
    private readonly double[] _logScores;

    public ItemBelief(IEnumerable<double> logScores, int evidence = 0)
    {
        ArgumentNullException.ThrowIfNull(logScores);
        _logScores = [.. logScores];
        if (_logScores.Length < 2)
        {
            throw new ArgumentException("A belief needs at least two choices.", nameof(logScores));
        }

        Evidence = evidence;
    }

    /// <summary>Unnormalised log-probability of each choice (persist these to resume later).</summary>
    public IReadOnlyList<double> LogScores => _logScores;

    /// <summary>Answers added so far (don't-know answers excluded).</summary>
    public int Evidence { get; private set; }

    /// <summary>Adds one answer, <paramref name="answered"/> being the choice's index, by a contributor of skill <paramref name="skill"/>.</summary>
    public void Add(WorkerSkill skill, int answered)
    {
        ArgumentNullException.ThrowIfNull(skill);
        var k = _logScores.Length;
        if (skill.Classes != k)
        {
            throw new ArgumentException($"The skill is for {skill.Classes} choices, the belief for {k}.", nameof(skill));
        }

        if ((uint)answered >= (uint)k)
        {
            throw new ArgumentOutOfRangeException(nameof(answered), answered, $"A choice index must be in [0, {k}).");
        }

        var log = skill.LogConfusion;
        for (var c = 0; c < k; c++)
        {
            _logScores[c] += log[(c * k) + answered];
        }

        Evidence++;
    }

    /// <summary>The normalised posterior over choices.</summary>
    public double[] Posterior()
    {
        var p = new double[_logScores.Length];
        Softmax(_logScores, p);
        return p;
    }

    /// <summary>Index of the most probable choice (the first one on exact ties) and its probability.</summary>
    public (int Index, double Confidence) Best()
    {
        var p = Posterior();
        var best = ArgMax(p);
        return (best, p[best]);
    }

    internal static void Softmax(ReadOnlySpan<double> scores, Span<double> into)
    {
        var max = double.NegativeInfinity;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }

        var sum = 0.0;
        for (var c = 0; c < scores.Length; c++)
        {
            into[c] = Math.Exp(scores[c] - max);
            sum += into[c];
        }

        for (var c = 0; c < scores.Length; c++)
        {
            into[c] /= sum;
        }
    }

    internal static int ArgMax(ReadOnlySpan<double> p)
    {
        var best = 0;
        for (var c = 1; c < p.Length; c++)
        {
            if (p[c] > p[best])
            {
                best = c;
            }
        }

        return best;
    }
}
