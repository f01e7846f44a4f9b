using CoConstruisons.Domain.Consensus;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Models;
using CoConstruisons.Domain.Projects;

namespace CoConstruisons.Domain.Contributions;

/// <summary>
/// What pages and the assignment policy read about one item: its votes, who answered and its
/// current label. Built from the item's events by a projection (id = item id).
/// </summary>
public sealed class ItemProgress : Assignment.IAssignmentCandidate
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Dictionary<string, int> Votes { get; set; } = [];
    public List<string> ContributorIds { get; set; } = [];

    /// <summary>Those of <see cref="ContributorIds"/> whose answer is not evidence ("don't know", or a skip).</summary>
    public List<string> Abstained { get; set; } = [];
    public int AnswerCount { get; set; }
    public int EvidenceCount { get; set; }
    public string? Label { get; set; }
    public double Confidence { get; set; }
    public bool Retired { get; set; }

    /// <summary>Unnormalised log-probabilities per choice from the contributor-aware consensus (null before the first answer).</summary>
    public double[]? LogScores { get; set; }

    /// <summary>The refit whose skills produced the current label.</summary>
    public Guid? FitId { get; set; }
    public bool IsGold { get; set; }

    /// <summary>The gold item's known answer (null for other items, and in rows projected before stop 16).</summary>
    public string? GoldChoice { get; set; }

    /// <summary>Owner priority (higher first).</summary>
    public int Priority { get; set; }

    /// <summary>Model uncertainty in [0, 1] once predictions exist (higher first); 0 before, and 0 for items the model was trained on.</summary>
    public double Uncertainty { get; set; }

    /// <summary>The latest model prediction (label, confidence, version), null before any.</summary>
    public string? PredictedLabel { get; set; }
    public double PredictedConfidence { get; set; }
    public string? ModelVersion { get; set; }

    /// <summary>The latest model was fitted on this item (its prediction is in-sample).</summary>
    public bool InTrainingSet { get; set; }

    /// <summary>The latest model's calibrated probability per choice (null before any prediction).</summary>
    public Dictionary<string, double>? PredictedProbabilities { get; set; }

    /// <summary>Each class's share of the latest model's training labels (null: equal shares).</summary>
    public Dictionary<string, double>? PredictedClassShares { get; set; }

    /// <summary>The model prior that <see cref="LogScores"/> hold (null: none), from <see cref="PriorModelVersion"/>.</summary>
    public double[]? PriorLogScores { get; set; }
    public string? PriorModelVersion { get; set; }

    /// <summary>The label a model gave this item above its auto-label threshold (null when none).</summary>
    public string? MachineLabel { get; set; }
    public double MachineConfidence { get; set; }

    public static ItemProgress Create(ItemAdded added) => new() { Id = added.ItemId, ProjectId = added.ProjectId };

    public void Apply(AnswerSubmitted answer)
    {
        ProjectId = answer.ProjectId;
        AnswerCount++;
        if (!ContributorIds.Contains(answer.ContributorId))
        {
            ContributorIds.Add(answer.ContributorId);
        }

        if (answer.Choice == Choice.DontKnowKey)
        {
            Abstain(answer.ContributorId);
            return;
        }

        EvidenceCount++;
        Votes[answer.Choice] = Votes.GetValueOrDefault(answer.Choice) + 1;
        if (answer.Belief is { } belief)
        {
            Believe(belief.Label, belief.Confidence, belief.LogScores, belief.FitId, belief.PriorLogScores, belief.PriorModelVersion);
            Retired |= belief.RetiresItem;
            return;
        }

        // An answer without its consensus (imported): the vote until a refit says more.
        var result = MajorityVote.Decide(Votes);
        Label = result?.Label;
        Confidence = result?.Confidence ?? 0;
    }

    public void Apply(AnswerSkipped skipped)
    {
        ProjectId = skipped.ProjectId;
        if (!ContributorIds.Contains(skipped.ContributorId))
        {
            ContributorIds.Add(skipped.ContributorId);
        }

        Abstain(skipped.ContributorId);
    }

    private void Abstain(string contributorId)
    {
        if (!Abstained.Contains(contributorId))
        {
            Abstained.Add(contributorId);
        }
    }

    public void Apply(GoldAnswerSet gold)
    {
        ArgumentNullException.ThrowIfNull(gold);
        IsGold = true;
        GoldChoice = gold.Choice;
    }

    public void Apply(ItemRetired retired) => Retired = true;

    public void Apply(ItemPredicted prediction)
    {
        PredictedLabel = prediction.Label;
        PredictedConfidence = prediction.Confidence;
        ModelVersion = prediction.Version;
        InTrainingSet = prediction.InTrainingSet;
        Uncertainty = prediction.Uncertainty;
        PredictedProbabilities = new Dictionary<string, double>(prediction.Probabilities, StringComparer.Ordinal);
        PredictedClassShares = prediction.ClassShares is null ? null : new Dictionary<string, double>(prediction.ClassShares, StringComparer.Ordinal);
    }

    /// <summary>
    /// The model prior this item's belief should start from under <paramref name="settings"/>
    /// (null: none): the latest prediction, weighed by the owner's <see cref="ProjectSettings.ModelPriorWeight"/>;
    /// never for gold items (their label is known) nor for items the model was trained on.
    /// </summary>
    public double[]? ModelPriorFor(ProjectSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return IsGold
            ? null
            : ModelPrior.LogScores([.. settings.Choices.Select(c => c.Key)], PredictedProbabilities, PredictedClassShares, InTrainingSet, settings.ModelPriorWeight);
    }

    /// <summary>A machine label retires the item: humans are no longer asked about it.</summary>
    public void Apply(ItemMachineLabelled labelled)
    {
        MachineLabel = labelled.Label;
        MachineConfidence = labelled.Confidence;
        Retired = true;
    }

    public void Apply(ItemBeliefUpdated belief)
    {
        ArgumentNullException.ThrowIfNull(belief);
        Believe(belief.Label, belief.Confidence, belief.LogScores, belief.FitId, belief.PriorLogScores, belief.PriorModelVersion);
    }

    private void Believe(string label, double confidence, double[] logScores, Guid fitId, double[]? priorLogScores, string? priorModelVersion)
    {
        Label = label;
        Confidence = confidence;
        LogScores = logScores;
        FitId = fitId;
        PriorLogScores = priorLogScores;
        PriorModelVersion = priorLogScores is null ? null : priorModelVersion;
    }
}
