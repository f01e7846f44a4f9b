namespace CoConstruisons.Domain.Experiments;

/// <summary>A researcher wrote (or re-wrote) an experiment definition.</summary>
public sealed record ExperimentDefined(ExperimentDefinition Definition, string By, DateTimeOffset At);

/// <summary>The allocation of an experiment changed: what it was, what it is, who changed it, when.</summary>
public sealed record ExperimentAllocationChanged(
    string Experiment,
    IReadOnlyList<VariantAllocation> OldAllocations,
    IReadOnlyList<VariantAllocation> NewAllocations,
    string By,
    DateTimeOffset At);

/// <summary>The experiment started being served to contributors.</summary>
public sealed record ExperimentStarted(string Experiment, string By, DateTimeOffset At);

/// <summary>The experiment stopped being served.</summary>
public sealed record ExperimentStopped(string Experiment, string By, DateTimeOffset At, string Reason);

/// <summary>
/// A contributor actually received the treatment of a variant (a nudge was sent with that tone,
/// frequency or question mode). Analyses count exposed contributors, not allocated ones.
/// </summary>
/// <param name="WhatChanged">In words, e.g. "tone=playful on the daily nudge".</param>
public sealed record ExperimentExposure(
    string ContributorId,
    string Experiment,
    string Variant,
    string WhatChanged,
    DateTimeOffset At);
