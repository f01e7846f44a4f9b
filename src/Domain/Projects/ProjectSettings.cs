namespace CoConstruisons.Domain.Projects;

/// <summary>What an owner sets on a project: the question, its choices and how many answers an image needs.</summary>
public sealed record ProjectSettings(
    string Title,
    string Description,
    string Question,
    IReadOnlyList<Choice> Choices,
    bool AllowDontKnow,
    string Instructions,
    int AnswersPerItem,
    int MinAnswersPerItem = 2,
    double ConfidenceTarget = 0.95,
    double AutoLabelPrecision = ProjectSettings.DefaultAutoLabelPrecision)
{
    /// <summary>
    /// The precision a model's predictions must reach on held-out items before they become machine
    /// labels (the threshold is chosen on the model's calibration part).
    /// </summary>
    public const double DefaultAutoLabelPrecision = 0.97;

    public const int MinChoices = 2;
    public const int MaxChoices = 10;
    public const int MaxAnswersPerItem = 100;

    /// <summary>When an item stops being asked (answers per item is the maximum).</summary>
    public Assignment.RetirementPolicy Retirement =>
        new(Math.Clamp(MinAnswersPerItem, 1, Math.Max(1, AnswersPerItem)), AnswersPerItem, ConfidenceTarget);

    public bool IsValidAnswer(string choiceKey) =>
        (AllowDontKnow && choiceKey == Choice.DontKnowKey) || Choices.Any(c => c.Key == choiceKey);
}
