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

    /// <summary>New allocation percentages (same or new variants); validated; returns the updated definition and its audit event.</summary>
    public (ExperimentDefinition Definition, ExperimentAllocationChanged Event) ChangeAllocation(
        IReadOnlyList<VariantAllocation> newVariants, string by, DateTimeOffset at)
    {
        var updated = this with { Variants = newVariants };
        ExperimentValidator.ThrowIfInvalid(updated);
        return (updated, new ExperimentAllocationChanged(Name, Variants, newVariants, by, at));
    }

    public (ExperimentDefinition Definition, ExperimentStarted Event) Start(string by, DateTimeOffset at)
    {
        if (Status != ExperimentStatus.Draft)
        {
            throw new ExperimentDefinitionException([$"L'expérience « {Name} » ne peut démarrer que depuis l'état brouillon (état actuel : {Status})."]);
        }

        var updated = this with { Status = ExperimentStatus.Running };
        ExperimentValidator.ThrowIfInvalid(updated);
        return (updated, new ExperimentStarted(Name, by, at));
    }

    public (ExperimentDefinition Definition, ExperimentStopped Event) Stop(string by, DateTimeOffset at, string reason)
    {
        if (Status != ExperimentStatus.Running)
        {
            throw new ExperimentDefinitionException([$"L'expérience « {Name} » n'est pas en cours (état actuel : {Status})."]);
        }

        return (this with { Status = ExperimentStatus.Stopped }, new ExperimentStopped(Name, by, at, reason));
    }
}

/// <summary>A refused definition; <see cref="Errors"/> lists every problem in words.</summary>
public sealed class ExperimentDefinitionException : Exception
{
    public ExperimentDefinitionException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors)) => Errors = errors;

    public ExperimentDefinitionException()
        : this([])
    {
    }

    public ExperimentDefinitionException(string message)
        : this([message])
    {
    }

    public ExperimentDefinitionException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}
