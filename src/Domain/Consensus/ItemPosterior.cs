namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// The fitted belief about one item: a probability per choice (aligned with the fit's labels), the
/// most probable choice and its probability, how many answers were evidence, and whether the
/// label was given as gold (then the posterior is certain).
/// </summary>
public sealed record ItemPosterior(string Item, IReadOnlyList<double> Probabilities, string Label, double Confidence, int Evidence, bool IsGold);
