using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Campaigns;
using CoConstruisons.Domain.Experiments;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Campaigns;

/// <summary>A contributor's standing with a project's campaigns, as gateways see it.</summary>
public sealed record EngagementView(string ContributorId, ConsentState Consent, bool OptedOut, int NudgesTotal, bool Known)
{
    public bool Active => Consent == ConsentState.Accepted && !OptedOut;

    public static EngagementView Of(string contributorId, Engagement? e) =>
        new(contributorId, e?.Consent ?? ConsentState.Unknown, e?.OptedOut ?? false, e?.NudgesTotal ?? 0, e is not null);
}

/// <summary>The first greeting of a channel user, in the tone a running experiment (or the campaign) gives them.</summary>
public sealed record RecordInvitation(Guid ProjectId, ContributorCredential Contributor) : ICommand<InvitationRecorded>;

public sealed record InvitationRecorded(string ContributorId, string Greeting, Tone Tone);

/// <summary>The channel user accepted (or declined) the consent notice of <paramref name="ConsentVersion"/>.</summary>
public sealed record RecordConsent(Guid ProjectId, ContributorCredential Contributor, bool Accepted, string ConsentVersion, string SealedAddress)
    : ICommand<EngagementView>;

/// <summary>The channel user said stop.</summary>
public sealed record OptOut(Guid ProjectId, ContributorCredential Contributor) : ICommand<EngagementView>;

public sealed record GetEngagement(Guid ProjectId, ContributorCredential Contributor) : IQuery<EngagementView>;

public sealed class RecordConsentValidator : AbstractValidator<RecordConsent>
{
    public RecordConsentValidator()
    {
        RuleFor(c => c.ConsentVersion).Must(v => !string.IsNullOrEmpty(v) && v.Length <= 64)
            .WithMessage(_ => Texts.T("La version du texte de consentement montré est requise (64 caractères au plus).",
                "The version of the consent text shown is required (at most 64 characters)."));
        RuleFor(c => c.SealedAddress).MaximumLength(2048)
            .WithMessage(_ => Texts.T("Adresse scellée trop longue (2 048 caractères au plus).", "Sealed address too long (at most 2,048 characters)."));
    }
}

/// <summary>Shared steps: only an authenticated gateway speaks for its channel users here.</summary>
internal static class EngagementSteps
{
    public static ResolvedContributor ChannelUser(ContributorResolver resolver, ContributorCredential credential, Guid projectId)
    {
        if (!credential.CallerIsService || string.IsNullOrEmpty(credential.Channel))
        {
            throw new UnauthenticatedException(Texts.T(
                "Seul un service authentifié (passerelle) peut enregistrer le consentement d'un utilisateur de canal.",
                "Only an authenticated service (gateway) may record a channel user's consent."));
        }

        return resolver.Resolve(credential, projectId);
    }

    public static async Task<EngagementView> AppendAsync(
        IDocumentSession session, Guid projectId, string contributorId, CancellationToken ct, params object[] events)
    {
        var id = Engagement.StreamId(projectId, contributorId);
        var stream = await session.Events.FetchForWriting<Engagement>(id, ct);
        stream.AppendMany(events);
        await session.SaveChangesAsync(ct);
        var saved = await session.LoadAsync<Engagement>(id, ct);
        return EngagementView.Of(contributorId, saved);
    }
}

public sealed class RecordInvitationHandler(
    IDocumentSession session, ContributorResolver resolver, IExperimentVariants experiments, TimeProvider clock)
    : ICommandHandler<RecordInvitation, InvitationRecorded>
{
    public async ValueTask<InvitationRecorded> Handle(RecordInvitation command, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var who = EngagementSteps.ChannelUser(resolver, command.Contributor, project.Id);
        var campaign = await session.LoadAsync<Campaign>(Campaign.IdFor(project.Id, who.Channel), cancellationToken)
            ?? Campaign.Default(project.Id, who.Channel);
        var existing = await session.LoadAsync<Engagement>(Engagement.StreamId(project.Id, who.ContributorId), cancellationToken);
        var tone = campaign.Rules.Tone;
        var events = new List<object>();
        var now = clock.GetUtcNow();
        if (existing?.InvitedAt is null)
        {
            var subject = new ExperimentSubject(who.ContributorId, project.Id.ToString(), who.Channel, IsNew: true);
            foreach (var v in await experiments.ForAsync(subject, cancellationToken))
            {
                if (v.Lever == ExperimentLever.Tone && Treatments.ParseTone(v.Variant) is { } t)
                {
                    tone = t;
                    events.Add(new ExperimentExposure(who.ContributorId, v.Experiment, v.Variant, $"tone={v.Variant} on the first greeting", now));
                }
            }

            events.Insert(0, new ContributorInvited(project.Id, who.ContributorId, who.Channel, tone, now));
            await EngagementSteps.AppendAsync(session, project.Id, who.ContributorId, cancellationToken, [.. events]);
        }

        return new InvitationRecorded(who.ContributorId, campaign.MessagesFor(tone).Greeting(Texts.IsEnglish), tone);
    }
}

public sealed class RecordConsentHandler(IDocumentSession session, ContributorResolver resolver, ChatConsent consent, TimeProvider clock)
    : ICommandHandler<RecordConsent, EngagementView>
{
    public async ValueTask<EngagementView> Handle(RecordConsent command, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var who = EngagementSteps.ChannelUser(resolver, command.Contributor, project.Id);
        var now = clock.GetUtcNow();
        object change = command.Accepted
            ? new ConsentRecorded(project.Id, who.ContributorId, who.Channel, command.ConsentVersion, command.SealedAddress, now)
            : new ConsentDeclined(project.Id, who.ContributorId, who.Channel, now);
        var view = await EngagementSteps.AppendAsync(session, project.Id, who.ContributorId, cancellationToken, change);
        if (!command.Accepted)
        {
            consent.Forget(project.Id, who.ContributorId);
        }

        return view;
    }
}

public sealed class OptOutHandler(IDocumentSession session, ContributorResolver resolver, ChatConsent consent, TimeProvider clock)
    : ICommandHandler<OptOut, EngagementView>
{
    public async ValueTask<EngagementView> Handle(OptOut command, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var who = EngagementSteps.ChannelUser(resolver, command.Contributor, project.Id);
        var view = await EngagementSteps.AppendAsync(session, project.Id, who.ContributorId, cancellationToken,
            new ContributorOptedOut(project.Id, who.ContributorId, who.Channel, clock.GetUtcNow()));
        consent.Forget(project.Id, who.ContributorId);
        return view;
    }
}

public sealed class GetEngagementHandler(IQuerySession session, ContributorResolver resolver) : IQueryHandler<GetEngagement, EngagementView>
{
    public async ValueTask<EngagementView> Handle(GetEngagement query, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(query.ProjectId, cancellationToken);
        var who = EngagementSteps.ChannelUser(resolver, query.Contributor, project.Id);
        return EngagementView.Of(who.ContributorId, await session.LoadAsync<Engagement>(Engagement.StreamId(project.Id, who.ContributorId), cancellationToken));
    }
}

/// <summary>Variant names of the invitation levers, as researchers write them.</summary>
public static class Treatments
{
    public static Tone? ParseTone(string variant) =>
        Enum.TryParse<Tone>(variant, ignoreCase: true, out var tone) && Enum.IsDefined(tone) ? tone : null;

    public static QuestionMode? ParseMode(string variant) => variant.ToLowerInvariant() switch
    {
        "single" or "one" => QuestionMode.Single,
        "series" or "series_of_five" or "five" => QuestionMode.Series,
        _ => null,
    };

    public static string Name(this Tone tone) => tone.ToString().ToLowerInvariant();

    public static string Name(this QuestionMode mode) => mode.ToString().ToLowerInvariant();
}
