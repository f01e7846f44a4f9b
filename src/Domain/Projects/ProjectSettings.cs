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
    double AutoLabelPrecision = ProjectSettings.DefaultAutoLabelPrecision,
    double ModelPriorWeight = ProjectSettings.DefaultModelPriorWeight,
    string Language = ProjectSettings.DefaultLanguage)
{
    /// <summary>
    /// The language the owner wrote the project's texts in (title, description, question, choices, instructions):
    /// pages mark those texts with it, so that a screen reader reads a French question in French even when the
    /// page around it is in English (WCAG 3.1.2, RGAA 8.7). French unless the owner says otherwise; projects
    /// created before the setting existed are French.
    /// </summary>
    public const string DefaultLanguage = "fr";

    /// <summary>The languages a project's texts may be written in (ISO 639-1 codes).</summary>
    public static IReadOnlyList<string> Languages { get; } = ["fr", "en"];

    /// <summary>
    /// How much the latest model's calibrated prediction counts as a prior in an item's consensus
    /// (0 = not at all, 1 = as a calibrated likelihood, Bayes' rule): the belief starts from the
    /// class prior plus weight × log(likelihood) instead of the class prior alone
    /// (<see cref="Models.ModelPrior"/>, docs/consensus.md "The model's prediction as a prior").
    /// 0.5: the one weight measured on the OpenSolarMap replay that kept the confident labels at
    /// least as often right as the crowd alone with both classifiers measured (features model and
    /// ensemble), for +21 % confident labels per 1,000 answers; 1 gave +38 % with the ensemble but
    /// lowered agreement with the features model (docs/opensolarmap.md, "With the ensemble").
    /// </summary>
    public const double DefaultModelPriorWeight = 0.5;

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
