using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Campaigns;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Experiments;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace CoConstruisons.Application.Campaigns;

/// <summary>
/// One nudge round of a project's campaign on one channel, asked by that channel's gateway (whose
/// Quartz job fires it on a clustered PostgreSQL store). Every active contributor is judged by the
/// campaign's rules — or by the frequency of the experiment they are in — and each invitation is
/// recorded as <see cref="NudgeSent"/> (plus one <see cref="ExperimentExposure"/> per experiment whose
/// variant shaped it) <b>before</b> the gateway delivers it. Appends use the engagement stream's
/// version: two rounds racing on one contributor record one nudge, the other is skipped.
/// </summary>
public sealed record PlanNudges(Guid ProjectId, string Channel, bool CallerIsService) : ICommand<IReadOnlyList<PlannedNudge>>;

public sealed record PlannedNudge(Guid NudgeId, string ContributorId, string SealedAddress, string Text, Tone Tone, QuestionMode Mode, int Questions);

public sealed partial class PlanNudgesHandler(
    IDocumentStore store, IQuerySession query, IExperimentVariants experiments, TimeProvider clock, ILogger<PlanNudgesHandler> logger)
    : ICommandHandler<PlanNudges, IReadOnlyList<PlannedNudge>>
{
    /// <summary>At most this many contributors are judged per round (the next round takes the rest).</summary>
    public const int MaxPerRound = 2000;

    public async ValueTask<IReadOnlyList<PlannedNudge>> Handle(PlanNudges command, CancellationToken cancellationToken)
    {
        if (!command.CallerIsService)
        {
            throw new UnauthenticatedException(Texts.T(
                "Seul un service authentifié (passerelle) peut lancer une tournée d'invitations.",
                "Only an authenticated service (gateway) may run a nudge round."));
        }

        var project = await query.LoadPublicAsync(command.ProjectId, cancellationToken);
        var channel = command.Channel.Trim().ToLowerInvariant();
        var campaign = await query.LoadAsync<Campaign>(Campaign.IdFor(project.Id, channel), cancellationToken) ?? Campaign.Default(project.Id, channel);
        if (!campaign.Rules.Enabled)
        {
            return [];
        }

        var candidates = await query.Query<Engagement>()
            .Where(e => e.ProjectId == project.Id && e.Channel == channel && e.Consent == ConsentState.Accepted && !e.OptedOut)
            .OrderBy(e => e.Id)
            .Take(MaxPerRound)
            .ToListAsync(cancellationToken);
        // Every candidate's progress (activity today, new or returning) in one query.
        var progress = (await query.LoadManyAsync<ContributorProgress>(cancellationToken,
                candidates.Select(e => ContributorProgress.IdFor(e.ContributorId, e.ProjectId))))
            .ToDictionary(p => p.Id, StringComparer.Ordinal);
        var progressOf = candidates.Select(e => progress.GetValueOrDefault(ContributorProgress.IdFor(e.ContributorId, e.ProjectId))).ToList();
        var variants = await experiments.ForEachAsync(
            [.. candidates.Select((e, i) => new ExperimentSubject(e.ContributorId, e.ProjectId.ToString(), e.Channel, IsNew: (progressOf[i]?.Answers ?? 0) == 0))],
            cancellationToken);
        var planned = new List<PlannedNudge>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var nudge = await PlanOneAsync(campaign, candidates[i], progressOf[i], variants[i], cancellationToken);
            if (nudge is not null)
            {
                planned.Add(nudge);
            }
        }

        return planned;
    }

    private async Task<PlannedNudge?> PlanOneAsync(
        Campaign campaign, Engagement engagement, ContributorProgress? progress, IReadOnlyList<AssignedVariant> variants, CancellationToken ct)
    {
        var rules = campaign.Rules;
        var tone = rules.Tone;
        var mode = rules.Mode;
        var applied = new List<(AssignedVariant Variant, string What)>();
        foreach (var v in variants)
        {
            switch (v.Lever)
            {
                case ExperimentLever.Frequency when rules.WithFrequency(v.Variant) is { } paced:
                    rules = paced;
                    applied.Add((v, $"frequency={v.Variant} (≤ {paced.MaxPerDay}/day, ≤ {paced.MaxPerWeek}/week)"));
                    break;
                case ExperimentLever.Tone when Treatments.ParseTone(v.Variant) is { } t:
                    tone = t;
                    applied.Add((v, $"tone={v.Variant} on the nudge"));
                    break;
                case ExperimentLever.QuestionMode when Treatments.ParseMode(v.Variant) is { } m:
                    mode = m;
                    applied.Add((v, $"question_mode={v.Variant}"));
                    break;
                default:
                    break;
            }
        }

        var now = clock.GetUtcNow();
        if (rules.Decide(engagement, progress?.LastAnswerAt, now) != NudgeVerdict.Send)
        {
            return null; // nothing was shown: no exposure either
        }

        rules = rules with { Mode = mode };
        var sent = new NudgeSent(Guid.CreateVersion7(), engagement.ProjectId, engagement.ContributorId, engagement.Channel, tone, mode, rules.QuestionsPerInvitation, now);
        var events = new List<object> { sent };
        events.AddRange(applied.Select(a => new ExperimentExposure(engagement.ContributorId, a.Variant.Experiment, a.Variant.Variant, a.What, now)));
        await using var session = store.LightweightSession();
        try
        {
            // Decided on this version of the stream: if another round appended since, nothing is written.
            var stream = await session.Events.FetchForWriting<Engagement>(engagement.Id, engagement.Version, ct);
            stream.AppendMany(events);
            await session.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ConcurrencyConflicts.IsConflict(ex))
        {
            LogRaced(engagement.Id);
            return null;
        }

        return new PlannedNudge(sent.NudgeId, engagement.ContributorId, engagement.Address, campaign.MessagesFor(tone).Nudge(Texts.IsEnglish), tone, mode, sent.Questions);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Nudge skipped for engagement {Id}: another round changed it first")]
    private partial void LogRaced(Guid id);
}
