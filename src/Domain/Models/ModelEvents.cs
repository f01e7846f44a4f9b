namespace CoConstruisons.Domain.Models;

/// <summary>
/// A model version was trained for a project (project stream): on which confident labels, how it
/// measured on held-out items, and the auto-label threshold chosen for the owner's target precision.
/// </summary>
public sealed record ModelTrained(
    Guid ProjectId,
    Guid ModelId,
    string Version,
    int LabelledItems,
    int TrainingItems,
    int TestItems,
    double Accuracy,
    double CalibrationError,
    double TargetPrecision,
    double Threshold,
    DateTimeOffset TrainedAt);

/// <summary>
/// A model's calibrated class probabilities for one item (item stream). <see cref="InTrainingSet"/>
/// is true when the item was one the model was fitted on: its probabilities are then in-sample
/// (optimistic) and they neither set the item's uncertainty nor label it, nor act as its prior.
/// <see cref="ClassShares"/>: each class's share of the labels the model was fitted on (null in
/// events written before stop 12, read as equal shares), which turns the probabilities into a
/// likelihood for the consensus prior (<see cref="ModelPrior"/>).
/// </summary>
public sealed record ItemPredicted(
    Guid ItemId,
    Guid ProjectId,
    Guid ModelId,
    string Version,
    string Label,
    double Confidence,
    IReadOnlyDictionary<string, double> Probabilities,
    bool InTrainingSet,
    DateTimeOffset PredictedAt,
    IReadOnlyDictionary<string, double>? ClassShares = null)
{
    /// <summary>Model uncertainty used by the assignment order: 1 − the highest probability (0 for training items).</summary>
    public double Uncertainty => InTrainingSet ? 0 : Math.Clamp(1 - Confidence, 0, 1);
}

/// <summary>
/// A model's prediction became the item's label: its calibrated confidence reached the threshold that
/// gave the owner's target precision on held-out items. The item stops being asked.
/// </summary>
public sealed record ItemMachineLabelled(
    Guid ItemId,
    Guid ProjectId,
    Guid ModelId,
    string Version,
    string Label,
    double Confidence,
    double Threshold,
    double TargetPrecision,
    DateTimeOffset LabelledAt);
