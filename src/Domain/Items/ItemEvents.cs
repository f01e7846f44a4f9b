namespace CoConstruisons.Domain.Items;

/// <summary>The owner declared the known answer of an item: it becomes a gold item.</summary>
public sealed record GoldAnswerSet(Guid ItemId, Guid ProjectId, string Choice, DateTimeOffset SetAt);

/// <summary>The item stops being asked: its consensus reached the target, or it hit its answer cap.</summary>
public sealed record ItemRetired(Guid ItemId, Guid ProjectId, string? Label, double Confidence, int Evidence, DateTimeOffset RetiredAt);

/// <summary>
/// The consensus about an item changed: after an answer (incremental update with the current skills)
/// or after a refit. <see cref="FitId"/> names the refit whose contributor skills produced it.
/// <see cref="PriorLogScores"/> is the model prior the log-scores hold (weight × log-likelihood per
/// choice, <see cref="Models.ModelPrior"/>; null: none, the class prior alone) and
/// <see cref="PriorModelVersion"/> the model version it came from, with <see cref="PriorWeight"/>
/// the project's weight then: log-scores = class prior + that prior + the answers' evidence.
/// </summary>
public sealed record ItemBeliefUpdated(
    Guid ItemId,
    Guid ProjectId,
    string Label,
    double Confidence,
    double[] LogScores,
    int Evidence,
    Guid FitId,
    DateTimeOffset At,
    double[]? PriorLogScores = null,
    string? PriorModelVersion = null,
    double PriorWeight = 0);

/// <summary>A full consensus refit of a project: which skills it estimated, from how many answers.</summary>
public sealed record ConsensusRefitted(
    Guid ProjectId,
    Guid FitId,
    string Method,
    int Answers,
    int Items,
    IReadOnlyDictionary<string, double> ContributorAccuracy,
    DateTimeOffset FittedAt);
