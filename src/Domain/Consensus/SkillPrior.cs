namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// What we believe about a contributor before seeing their answers: they behave as if they had
/// already given <see cref="Strength"/> answers of which a share <see cref="Accuracy"/> was right
/// (errors spread evenly over the other choices). These pseudo-answers are a Dirichlet prior on
/// each row of the contributor's confusion matrix (a Beta prior for one-coin models), so a
/// contributor with three answers is not trusted blindly: their skill stays near the prior until
/// their own answers outweigh it.
/// </summary>
public sealed record SkillPrior(double Accuracy, double Strength)
{
    /// <summary>Checks the prior makes sense for a question with <paramref name="classes"/> choices.</summary>
    public void Validate(int classes)
    {
        if (!(Accuracy > 0 && Accuracy < 1))
        {
            throw new ArgumentException($"A prior accuracy must be strictly between 0 and 1, not {Accuracy}.");
        }

        if (!(Strength >= 0) || double.IsInfinity(Strength))
        {
            throw new ArgumentException($"A prior strength must be a finite number ≥ 0, not {Strength}.");
        }

        if (classes < 2)
        {
            throw new ArgumentException("A question needs at least two choices.");
        }
    }
}
