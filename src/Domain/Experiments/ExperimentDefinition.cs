namespace CoConstruisons.Domain.Experiments;

/// <summary>What an experiment changes in the invitations (one lever per experiment).</summary>
public enum ExperimentLever
{
    /// <summary>The wording of a nudge: neutral, playful, impact…</summary>
    Tone,

    /// <summary>How often a contributor is invited: daily, three_a_week, weekly…</summary>
    Frequency,

    /// <summary>One question per invitation or a series of five…</summary>
    QuestionMode,
}

/// <summary>Draft (editable, not served), running (served to contributors), stopped (served no more).</summary>
public enum ExperimentStatus
{
    Draft,
    Running,
    Stopped,
}

/// <summary>Which contributors an experiment reaches: all, only new ones, only returning ones.</summary>
public enum ExperimentAudience
{
    All,
    New,
    Returning,
}

/// <summary>One arm of an experiment and the share of targeted contributors it receives, in percent.</summary>
public sealed record VariantAllocation(string Name, decimal Percent);

/// <summary>
/// Who can enter an experiment. An empty list means "no restriction" on that dimension.
/// A contributor is targeted when every restricted dimension matches.
/// </summary>
public sealed record ExperimentTargeting(
    IReadOnlyList<string> ProjectIds,
    IReadOnlyList<string> Channels,
    ExperimentAudience Audience)
{
    public static ExperimentTargeting Everyone { get; } = new([], [], ExperimentAudience.All);

    /// <summary>True when this targeting and <paramref name="other"/> can both match one contributor.</summary>
    public bool Intersects(ExperimentTargeting other)
    {
        ArgumentNullException.ThrowIfNull(other);
        static bool Overlap(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
            a.Count == 0 || b.Count == 0 || a.Intersect(b, StringComparer.Ordinal).Any();
        var audiences = Audience == ExperimentAudience.All || other.Audience == ExperimentAudience.All || Audience == other.Audience;
        return audiences && Overlap(ProjectIds, other.ProjectIds) && Overlap(Channels, other.Channels);
    }

    /// <summary>True when the contributor in <paramref name="subject"/> is in this experiment's population.</summary>
    public bool Matches(ExperimentSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return (ProjectIds.Count == 0 || (subject.ProjectId is not null && ProjectIds.Contains(subject.ProjectId, StringComparer.Ordinal)))
            && (Channels.Count == 0 || (subject.Channel is not null && Channels.Contains(subject.Channel, StringComparer.Ordinal)))
            && (Audience == ExperimentAudience.All || (Audience == ExperimentAudience.New) == subject.IsNew);
    }
}

/// <summary>The contributor being allocated, and the context of the invitation.</summary>
/// <param name="ContributorId">The pseudonym ("c_" + 32 hex), never a real identity.</param>
/// <param name="ProjectId">The project the invitation is about.</param>
/// <param name="Channel">slack, matrix, messenger, web…</param>
/// <param name="IsNew">True for a contributor who has not answered yet.</param>
public sealed record ExperimentSubject(string ContributorId, string? ProjectId, string? Channel, bool IsNew);

/// <summary>
/// An experiment on one lever of the invitations, served as a feature flag with variants.
/// The first variant is the control (the one every other variant is compared to).
/// Changes go through <see cref="ChangeAllocation"/>, <see cref="Start"/> and <see cref="Stop"/>,
/// which validate and return the audit event to append.
/// </summary>
public sealed record ExperimentDefinition(
    string Name,
    ExperimentLever Lever,
    IReadOnlyList<VariantAllocation> Variants,
    string Seed,
    ExperimentTargeting Targeting,
    ExperimentStatus Status = ExperimentStatus.Draft,
    bool AllowOverlap = false)
{
    /// <summary>Contributors per arm planned before launch (0 = the engine's recommendation); results stay "interim" below it.</summary>
    public long PlannedPerArm { get; init; }

    /// <summary>The control variant: the first one listed.</summary>
    public string ControlVariant => Variants.Count > 0 ? Variants[0].Name : "";

    /// <summary>
    /// The string hashed after the contributor id: "{Seed}\n{Name}". Including the name keeps two
    /// experiments that share a seed independent; it is also the <c>allocation.seed</c> given to
    /// Microsoft.FeatureManagement, so both compute the same percentile.
    /// </summary>
    public string AllocationSeed => $"{Seed}\n{Name}";

    /// <summary>Records the definition as written by a researcher (the first event of its stream).</summary>
    public ExperimentDefined Define(string by, DateTimeOffset at)
    {
        ExperimentValidator.ThrowIfInvalid(this);
        return new ExperimentDefined(this, by, at);
    }

    /// <summary>
    /// New allocation percentages of this experiment's variants (a variant not named gets 0 %; the
    /// variants keep their order, so the control stays the control); validated; returns the updated
    /// definition and its audit event. Refused: a variant the experiment does not have, a variant
    /// named twice, a total other than 100 %, and an allocation that changes nothing.
    /// </summary>
    public (ExperimentDefinition Definition, ExperimentAllocationChanged Event) ChangeAllocation(
        IReadOnlyList<VariantAllocation> newVariants, string by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(newVariants);
        var known = Variants.Select(v => v.Name).ToList();
        var problems = new List<ExperimentProblem>();
        foreach (var unknown in newVariants.Select(v => v.Name).Where(n => !known.Contains(n, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            problems.Add(new(
                $"L'expérience « {Name} » n'a pas de variante « {unknown} » ; ses variantes sont {string.Join(", ", known)}.",
                $"Experiment '{Name}' has no variant '{unknown}'; its variants are {string.Join(", ", known)}.",
                "variants"));
        }

        foreach (var twice in newVariants.GroupBy(v => v.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add(new(
                $"Expérience « {Name} » : la variante « {twice.Key} » est donnée {twice.Count()} fois dans la nouvelle allocation.",
                $"Experiment '{Name}': variant '{twice.Key}' is given {twice.Count()} times in the new allocation.",
                "variants"));
        }

        if (problems.Count > 0)
        {
            throw new ExperimentDefinitionException(problems);
        }

        var shares = newVariants.ToDictionary(v => v.Name, v => v.Percent, StringComparer.Ordinal);
        var updated = this with { Variants = [.. Variants.Select(v => new VariantAllocation(v.Name, shares.GetValueOrDefault(v.Name)))] };
        ExperimentValidator.ThrowIfInvalid(updated);
        if (updated.Variants.SequenceEqual(Variants))
        {
            throw new ExperimentDefinitionException([new ExperimentProblem(
                $"L'allocation de l'expérience « {Name} » est déjà {AuditLine.Shares(Variants)} : rien à changer.",
                $"Experiment '{Name}' is already allocated {AuditLine.Shares(Variants)}: nothing to change.",
                "variants")]);
        }

        return (updated, new ExperimentAllocationChanged(Name, Variants, updated.Variants, by, at));
    }

    public (ExperimentDefinition Definition, ExperimentStarted Event) Start(string by, DateTimeOffset at)
    {
        if (Status != ExperimentStatus.Draft)
        {
            throw new ExperimentDefinitionException([new ExperimentProblem(
                $"L'expérience « {Name} » ne peut démarrer que depuis l'état brouillon (état actuel : {ExperimentWords.Status(Status, english: false)}).",
                $"Experiment '{Name}' can only be started from draft (current state: {ExperimentWords.Status(Status, english: true)}).",
                "status")]);
        }

        var updated = this with { Status = ExperimentStatus.Running };
        ExperimentValidator.ThrowIfInvalid(updated);
        return (updated, new ExperimentStarted(Name, by, at));
    }

    /// <summary>The longest reason for stopping an experiment (a few sentences in the audit trail, not a document).</summary>
    public const int MaxReasonLength = 1000;

    /// <summary>Stops a running experiment; the reason (required, not blank, at most <see cref="MaxReasonLength"/> characters) is kept in the audit trail.</summary>
    public (ExperimentDefinition Definition, ExperimentStopped Event) Stop(string by, DateTimeOffset at, string reason)
    {
        if (Status != ExperimentStatus.Running)
        {
            throw new ExperimentDefinitionException([new ExperimentProblem(
                $"L'expérience « {Name} » n'est pas en cours (état actuel : {ExperimentWords.Status(Status, english: false)}).",
                $"Experiment '{Name}' is not running (current state: {ExperimentWords.Status(Status, english: true)}).",
                "status")]);
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ExperimentDefinitionException([new ExperimentProblem(
                $"Expérience « {Name} » : donnez le motif de l'arrêt (il est gardé dans le journal d'audit).",
                $"Experiment '{Name}': give the reason for stopping it (it is kept in the audit trail).",
                "reason")]);
        }

        if (reason.Trim().Length > MaxReasonLength)
        {
            throw new ExperimentDefinitionException([new ExperimentProblem(
                $"Expérience « {Name} » : le motif de l'arrêt est trop long ({reason.Trim().Length} caractères, {MaxReasonLength} au plus).",
                $"Experiment '{Name}': the reason for stopping it is too long ({reason.Trim().Length} characters, at most {MaxReasonLength}).",
                "reason")]);
        }

        return (this with { Status = ExperimentStatus.Stopped }, new ExperimentStopped(Name, by, at, reason.Trim()));
    }
}

/// <summary>
/// A refused definition or change; <see cref="Problems"/> lists every problem in French and in
/// English (<see cref="ErrorsIn"/> picks a language), <see cref="Errors"/> and the message are French.
/// </summary>
public sealed class ExperimentDefinitionException : Exception
{
    public ExperimentDefinitionException(IReadOnlyList<ExperimentProblem> problems)
        : base(string.Join(Environment.NewLine, (problems ?? []).Select(p => p.Fr))) => Problems = problems ?? [];

    /// <summary>Problems written in one language only: the same text is used for both.</summary>
    public ExperimentDefinitionException(IReadOnlyList<string> errors)
        : this([.. (errors ?? []).Select(e => new ExperimentProblem(e, e))])
    {
    }

    public ExperimentDefinitionException()
        : this(Array.Empty<ExperimentProblem>())
    {
    }

    public ExperimentDefinitionException(string message)
        : this([new ExperimentProblem(message, message)])
    {
    }

    public ExperimentDefinitionException(string message, Exception innerException)
        : base(message, innerException) => Problems = [new ExperimentProblem(message, message)];

    /// <summary>Every problem, in French and in English, with the field it is about.</summary>
    public IReadOnlyList<ExperimentProblem> Problems { get; }

    /// <summary>Every problem in French.</summary>
    public IReadOnlyList<string> Errors => ErrorsIn(english: false);

    /// <summary>Every problem in English when <paramref name="english"/>, in French otherwise.</summary>
    public IReadOnlyList<string> ErrorsIn(bool english) => [.. Problems.Select(p => p.In(english))];
}
