namespace CoConstruisons.Domain.Consensus;

/// <summary>The consensus methods, selectable by name (see docs/consensus.md).</summary>
public static class ConsensusMethods
{
    /// <summary>Plain majority vote (every contributor weighs the same).</summary>
    public const string MajorityVote = "majority-vote";

    /// <summary>One accuracy per contributor, errors spread evenly (Karger–Oh–Shah "one-coin" Dawid–Skene), Beta prior, MAP-EM.</summary>
    public const string OneCoin = "one-coin";

    /// <summary>Full confusion matrix per contributor (Dawid–Skene 1979), diagonal-heavy Dirichlet prior, MAP-EM.</summary>
    public const string DawidSkene = "dawid-skene";

    /// <summary>
    /// Full confusion matrices whose prior is centred on the crowd's pooled confusion matrix
    /// (a contributor starts as "a typical contributor" and departs from it with evidence), MAP-EM.
    /// </summary>
    public const string PooledDawidSkene = "pooled-dawid-skene";

    /// <summary>
    /// Full confusion matrices whose rows are shrunk towards the contributor's own overall accuracy
    /// (itself shrunk towards the prior), optionally mixed with the crowd's pooled matrix, MAP-EM.
    /// </summary>
    public const string ShrunkDawidSkene = "shrunk-dawid-skene";

    /// <summary>
    /// <see cref="ShrunkDawidSkene"/> whose skills are learned only from corroborated evidence: an item
    /// answered by a single contributor (and not gold) does not count towards that contributor's
    /// confusion matrix, since their own answer is then the only evidence of the item's label.
    /// </summary>
    public const string CorroboratedDawidSkene = "corroborated-dawid-skene";

    /// <summary>
    /// <see cref="HierarchicalDawidSkene"/> whose skills are learned only from corroborated evidence (the rule of
    /// <see cref="CorroboratedDawidSkene"/>): a contributor seen only on items nobody else answered gets the learned prior.
    /// </summary>
    public const string CorroboratedHierarchicalDawidSkene = "corroborated-hierarchical-dawid-skene";

    /// <summary>
    /// Enhanced Bayesian Classifier Combination (Li, Rubinstein &amp; Cohn, ICML 2019): each class a mixture of
    /// subtypes with its own confusion rows (correlated contributors), variational inference, published settings.
    /// </summary>
    public const string Ebcc = "ebcc";

    /// <summary>Bayesian Weighted Average (Li, Rubinstein &amp; Cohn, WWW 2019): per choice, a precision-weighted average of the answers.</summary>
    public const string Bwa = "bwa";

    /// <summary>
    /// Dawid–Skene whose contributors' rows share one Dirichlet prior per true class, learned from the crowd
    /// by empirical Bayes (Dirichlet-multinomial marginal likelihood, Minka's fixed point) at every M-step.
    /// </summary>
    public const string HierarchicalDawidSkene = "hierarchical-dawid-skene";

    /// <summary>The method used when none is named.</summary>
    public const string Default = ShrunkDawidSkene;

    /// <summary>Every method name.</summary>
    public static IReadOnlyList<string> All { get; } = [MajorityVote, OneCoin, DawidSkene, PooledDawidSkene, ShrunkDawidSkene, CorroboratedDawidSkene, HierarchicalDawidSkene, CorroboratedHierarchicalDawidSkene, Ebcc, Bwa];

    /// <summary>Whether the method's contributors' rows are shrunk towards their own accuracy mixed with the pooled matrix.</summary>
    internal static bool IsShrunk(string method) => method is ShrunkDawidSkene or CorroboratedDawidSkene;

    /// <summary>Whether the method learns its contributors' prior from the crowd (empirical Bayes).</summary>
    internal static bool IsHierarchical(string method) => method is HierarchicalDawidSkene or CorroboratedHierarchicalDawidSkene;

    /// <summary>Whether an item answered by one contributor only (and not gold) is left out of that contributor's skill.</summary>
    internal static bool IsCorroborated(string method) => method is CorroboratedDawidSkene or CorroboratedHierarchicalDawidSkene;

    /// <summary>Whether the method mixes the crowd's pooled matrix into contributors' priors.</summary>
    internal static bool UsesPooled(string method) => method is PooledDawidSkene || IsShrunk(method);

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

/// <summary>How to treat several answers by the same contributor on the same item.</summary>
public enum RepeatPolicy
{
    /// <summary>Keep only the contributor's latest answer (they changed their mind; one person, one vote).</summary>
    KeepLast,

    /// <summary>Count every answer (as if each were a different contributor).</summary>
    KeepAll,
}

/// <summary>Settings of a consensus fit. The defaults are the single configuration used on every dataset.</summary>
public sealed record ConsensusOptions
{
    public string Method { get; init; } = ConsensusMethods.Default;

    /// <summary>The prior of a contributor whose channel has no prior of its own.</summary>
    public SkillPrior WorkerPrior { get; init; } = new(0.75, 3);

    /// <summary>Per-channel priors (a CAPTCHA solver is not a volunteer); keys are channel names.</summary>
    public IReadOnlyDictionary<string, SkillPrior> ChannelPriors { get; init; } = new Dictionary<string, SkillPrior>();

    /// <summary>Pseudo-count added to every class when estimating how common each class is.</summary>
    public double ClassPriorStrength { get; init; } = 1;

    /// <summary>The declared choices, in order; when null the labels seen in answers and gold are used (ordinal order).</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>The "don't know" answer: recorded, never evidence.</summary>
    public string DontKnowLabel { get; init; } = Projects.Choice.DontKnowKey;

    public RepeatPolicy Repeats { get; init; } = RepeatPolicy.KeepLast;

    /// <summary>
    /// For the pooled method: how much of a contributor's prior confusion matrix comes from the
    /// crowd's pooled matrix (the rest is the evenly-spread-errors shape of their prior).
    /// </summary>
    public double PooledWeight { get; init; } = 0.5;

    public int MaxIterations { get; init; } = 50;

    /// <summary>EM stops when no item's posterior moves by more than this.</summary>
    public double Tolerance { get; init; } = 1e-5;

    public SkillPrior PriorFor(string? channel) =>
        channel is not null && ChannelPriors.TryGetValue(channel, out var prior) ? prior : WorkerPrior;
}
