namespace CoConstruisons.Domain.Projects;

/// <summary>One allowed answer to a project's question: a stable key and the label people see.</summary>
public sealed record Choice(string Key, string Label)
{
    /// <summary>The key of the "don't know" answer: recorded, never evidence for a label.</summary>
    public const string DontKnowKey = "dont_know";
}
