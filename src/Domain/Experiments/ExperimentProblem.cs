namespace CoConstruisons.Domain.Experiments;

/// <summary>
/// One problem with an experiment, in French and in English (the caller shows the one of its
/// reader's language), and the field it is about: name, lever, seed, variants, projects,
/// channels, audience, status, reason, or experiment for the whole definition or catalogue.
/// </summary>
public sealed record ExperimentProblem(string Fr, string En, string Field = ExperimentProblem.Whole)
{
    /// <summary>The field of a problem about the experiment as a whole (or about several experiments).</summary>
    public const string Whole = "experiment";

    /// <summary>An experiment of that name is already stored: a definition may not replace it.</summary>
    public static ExperimentProblem AlreadyExists(string name) => new(
        $"L'expérience « {name} » existe déjà ; modifiez son allocation au lieu de la redéfinir.",
        $"Experiment '{name}' already exists; change its allocation instead of defining it again.",
        "name");

    /// <summary>The English text when <paramref name="english"/>, the French one otherwise.</summary>
    public string In(bool english) => english ? En : Fr;

    public override string ToString() => Fr;
}

/// <summary>Words about experiments used inside sentences, in French and in English.</summary>
public static class ExperimentWords
{
    /// <summary>The state as a word of the sentence's language: brouillon / en cours / arrêtée, draft / running / stopped.</summary>
    public static string Status(ExperimentStatus status, bool english) => status switch
    {
        ExperimentStatus.Draft => english ? "draft" : "brouillon",
        ExperimentStatus.Running => english ? "running" : "en cours",
        ExperimentStatus.Stopped => english ? "stopped" : "arrêtée",
        _ => status.ToString(),
    };

    /// <summary>The lever named as files and the wire write it (tone, frequency, question_mode); null for any other word.</summary>
    public static ExperimentLever? Lever(string word) => word switch
    {
        "tone" => ExperimentLever.Tone,
        "frequency" => ExperimentLever.Frequency,
        "question_mode" => ExperimentLever.QuestionMode,
        _ => null,
    };

    /// <summary>
    /// The audience named as files and the wire write it (all, new, returning); null for any other word (never
    /// Enum.TryParse, which would also take "1" or "new,returning" and widen or narrow an experiment unsaid).
    /// </summary>
    public static ExperimentAudience? Audience(string word) => word switch
    {
        "all" => ExperimentAudience.All,
        "new" => ExperimentAudience.New,
        "returning" => ExperimentAudience.Returning,
        _ => null,
    };

    /// <summary>An audit trail's kind of entry (<see cref="AuditLine.Kind"/>) in words: définie, démarrée…, defined, started….</summary>
    public static string AuditKind(string kind, bool english) => kind switch
    {
        "defined" => english ? "defined" : "définie",
        "started" => english ? "started" : "démarrée",
        "stopped" => english ? "stopped" : "arrêtée",
        "allocation_changed" => english ? "allocation changed" : "allocation modifiée",
        _ => kind,
    };
}
