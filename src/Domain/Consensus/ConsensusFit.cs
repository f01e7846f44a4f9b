namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// The result of <see cref="ConsensusModel.Fit"/>: per-item posteriors, per-contributor skills, the
/// class frequencies, and what is needed to update an item incrementally between refits.
/// </summary>
public sealed class ConsensusFit
{
    private readonly Dictionary<string, int> _labelIndex;
    private readonly Dictionary<string, WorkerSkill> _workers;
    private readonly Dictionary<string, ItemPosterior> _items;
    private readonly Func<string?, WorkerSkill> _priorSkill;
    private readonly Dictionary<string, WorkerSkill> _priorSkills = new(StringComparer.Ordinal);
    private readonly double[] _logClassPrior;

    internal ConsensusFit(
        string method,
        string[] labels,
        double[] classPrior,
        Dictionary<string, ItemPosterior> items,
        Dictionary<string, WorkerSkill> workers,
        Func<string?, WorkerSkill> priorSkill,
        int iterations,
        string dontKnowLabel)
    {
        Method = method;
        Labels = labels;
        ClassPrior = classPrior;
        _logClassPrior = [.. classPrior.Select(p => Math.Log(p))];
        _items = items;
        _workers = workers;
        _priorSkill = priorSkill;
        Iterations = iterations;
        DontKnowLabel = dontKnowLabel;
        _labelIndex = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (var l = 0; l < labels.Length; l++)
        {
            _labelIndex[labels[l]] = l;
        }
    }

    public string Method { get; }

    /// <summary>The choices, in the order every probability vector and confusion row uses.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>How common each choice is, as estimated by the fit.</summary>
    public IReadOnlyList<double> ClassPrior { get; }

    public IReadOnlyDictionary<string, ItemPosterior> Items => _items;

    public IReadOnlyDictionary<string, WorkerSkill> Workers => _workers;

    /// <summary>EM iterations run (0 for majority vote).</summary>
    public int Iterations { get; }

    public string DontKnowLabel { get; }

    /// <summary>Index of a choice in <see cref="Labels"/>, or -1.</summary>
    public int IndexOf(string label) => _labelIndex.GetValueOrDefault(label, -1);

    /// <summary>
    /// The skill used for a contributor: their fitted skill, or for a contributor the fit has not
    /// seen, the prior of their channel (or the default prior).
    /// </summary>
    public WorkerSkill SkillOf(string worker, string? channel = null)
    {
        if (_workers.TryGetValue(worker, out var skill))
        {
            return skill;
        }

        var key = channel ?? string.Empty;
        if (!_priorSkills.TryGetValue(key, out skill))
        {
            skill = _priorSkill(channel);
            _priorSkills[key] = skill;
        }

        return skill;
    }

    /// <summary>A belief about an item nobody has answered yet: the class prior.</summary>
    public ItemBelief NewBelief() => new(_logClassPrior);

    /// <summary>The fitted belief about an item, to continue updating it incrementally (the class prior for an unknown item).</summary>
    public ItemBelief BeliefOf(string item) =>
        _items.TryGetValue(item, out var posterior)
            ? new ItemBelief(posterior.Probabilities.Select(p => Math.Log(Math.Max(p, 1e-300))), posterior.Evidence)
            : NewBelief();

    /// <summary>
    /// Adds one answer to a belief using the current skills; "don't know" is ignored. Returns false
    /// for "don't know", throws for a label that is not a choice.
    /// </summary>
    public bool Update(ItemBelief belief, string worker, string label, string? channel = null)
    {
        ArgumentNullException.ThrowIfNull(belief);
        if (label == DontKnowLabel)
        {
            return false;
        }

        var answered = IndexOf(label);
        if (answered < 0)
        {
            throw new ArgumentException($"'{label}' is not one of the choices: {string.Join(", ", Labels)}.", nameof(label));
        }

        belief.Add(SkillOf(worker, channel), answered);
        return true;
    }

    /// <summary>The most probable label of a belief and its probability.</summary>
    public LabelDecision Decide(ItemBelief belief)
    {
        ArgumentNullException.ThrowIfNull(belief);
        var (index, confidence) = belief.Best();
        return new LabelDecision(Labels[index], confidence);
    }
}
