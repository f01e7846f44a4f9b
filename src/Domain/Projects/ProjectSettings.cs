namespace CoConstruisons.Domain.Projects;

/// <summary>What an owner sets on a project: the question, its choices and how many answers an image needs.</summary>
public sealed record ProjectSettings(
    string Title,
    string Description,
    string Question,
    IReadOnlyList<Choice> Choices,
    bool AllowDontKnow,
    string Instructions,
    int AnswersPerItem)
{
    public const int MinChoices = 2;
    public const int MaxChoices = 10;
    public const int MaxAnswersPerItem = 100;

    public bool IsValidAnswer(string choiceKey) =>
        (AllowDontKnow && choiceKey == Choice.DontKnowKey) || Choices.Any(c => c.Key == choiceKey);
}
