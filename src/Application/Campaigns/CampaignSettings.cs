using CoConstruisons.Application.Common;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Campaigns;
using CoConstruisons.Domain.Owners;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Campaigns;

/// <summary>A campaign with its figures, for its owner.</summary>
public sealed record CampaignView(Campaign Campaign, long NudgesSent, long ContributorsActive);

/// <summary>The project's campaign on one channel (its defaults until the owner changes them).</summary>
public sealed record GetCampaign(Guid ProjectId, Guid OwnerId, string Channel) : IQuery<CampaignView>;

/// <summary>
/// The owner changes a campaign's rhythm or words; the change applies from the next nudge round.
/// <paramref name="ExpectedVersion"/> is the version the owner edited: if another owner saved in
/// between, nothing changes and they are asked to reload.
/// </summary>
public sealed record UpdateCampaign(
    Guid ProjectId, Guid OwnerId, string Channel, CampaignRules Rules, IReadOnlyDictionary<Tone, ToneMessages> Messages, int? ExpectedVersion = null)
    : ICommand<CampaignView>;

/// <summary>The channels a campaign can run on (those with a gateway).</summary>
public static class CampaignChannels
{
    public static IReadOnlyList<string> Known { get; } = ["slack"];

    public static string Normalize(string channel) => (channel ?? "").Trim().ToLowerInvariant();
}

public sealed class GetCampaignValidator : AbstractValidator<GetCampaign>
{
    public GetCampaignValidator() =>
        RuleFor(c => CampaignChannels.Normalize(c.Channel)).Must(CampaignChannels.Known.Contains).OverridePropertyName("channel")
            .WithMessage(c => Texts.T($"Canal inconnu « {c.Channel} » (connus : slack).", $"Unknown channel '{c.Channel}' (known: slack)."));
}

public sealed class UpdateCampaignValidator : AbstractValidator<UpdateCampaign>
{
    public UpdateCampaignValidator()
    {
        RuleFor(c => CampaignChannels.Normalize(c.Channel)).Must(CampaignChannels.Known.Contains).OverridePropertyName("channel")
            .WithMessage(c => Texts.T($"Canal inconnu « {c.Channel} » (connus : slack).", $"Unknown channel '{c.Channel}' (known: slack)."));
        RuleFor(c => c.Rules).Custom((rules, context) =>
        {
            foreach (var problem in rules.Problems())
            {
                context.AddFailure("rules", problem);
            }
        });
        RuleForEach(c => c.Messages).Custom((pair, context) =>
        {
            var m = pair.Value;
            foreach (var (name, text) in new[] { ("nudge_fr", m.NudgeFr), ("nudge_en", m.NudgeEn), ("greeting_fr", m.GreetingFr), ("greeting_en", m.GreetingEn) })
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    context.AddFailure($"messages.{pair.Key.Name()}.{name}", Texts.T(
                        $"Le message « {name} » du ton {pair.Key.Name()} est requis ({ToneMessages.MaxLength} caractères au plus).",
                        $"Message '{name}' of tone {pair.Key.Name()} is required (at most {ToneMessages.MaxLength} characters)."));
                }
                else if (text.Length > ToneMessages.MaxLength)
                {
                    context.AddFailure($"messages.{pair.Key.Name()}.{name}", Texts.T(
                        $"Le message « {name} » du ton {pair.Key.Name()} est trop long : {text.Length} caractères, {ToneMessages.MaxLength} au plus.",
                        $"Message '{name}' of tone {pair.Key.Name()} is too long: {text.Length} characters, at most {ToneMessages.MaxLength}."));
                }
            }
        });
    }
}

internal static class CampaignViews
{
    public static async Task<CampaignView> ViewAsync(IQuerySession session, Campaign campaign, CancellationToken ct)
    {
        var engagements = session.Query<Engagement>().Where(e => e.ProjectId == campaign.ProjectId && e.Channel == campaign.Channel);
        var nudges = await engagements.SumAsync(e => e.NudgesTotal, ct);
        var active = await engagements.CountAsync(e => e.Consent == ConsentState.Accepted && !e.OptedOut, ct);
        return new CampaignView(campaign, nudges, active);
    }
}

public sealed class GetCampaignHandler(IQuerySession session) : IQueryHandler<GetCampaign, CampaignView>
{
    public async ValueTask<CampaignView> Handle(GetCampaign query, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(query.ProjectId, query.OwnerId, cancellationToken);
        var channel = CampaignChannels.Normalize(query.Channel);
        var campaign = await session.LoadAsync<Campaign>(Campaign.IdFor(project.Id, channel), cancellationToken) ?? Campaign.Default(project.Id, channel);
        return await CampaignViews.ViewAsync(session, campaign, cancellationToken);
    }
}

public sealed class UpdateCampaignHandler(IDocumentSession session, TimeProvider clock) : ICommandHandler<UpdateCampaign, CampaignView>
{
    public async ValueTask<CampaignView> Handle(UpdateCampaign command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var owner = await session.LoadAsync<Owner>(command.OwnerId, cancellationToken);
        var channel = CampaignChannels.Normalize(command.Channel);
        var campaign = await session.LoadAsync<Campaign>(Campaign.IdFor(project.Id, channel), cancellationToken) ?? Campaign.Default(project.Id, channel);
        if (command.ExpectedVersion is { } expected && expected != campaign.Version)
        {
            throw new Common.Exceptions.RuleViolationException(Texts.T(
                $"La campagne a été modifiée entre-temps (version {campaign.Version}, vous éditiez la version {expected}) : rechargez la page.",
                $"The campaign was changed meanwhile (version {campaign.Version}, you were editing version {expected}): reload the page."));
        }

        campaign.Rules = command.Rules;
        foreach (var (tone, messages) in command.Messages)
        {
            campaign.Messages[tone] = messages with
            {
                NudgeFr = messages.NudgeFr.Trim(),
                NudgeEn = messages.NudgeEn.Trim(),
                GreetingFr = messages.GreetingFr.Trim(),
                GreetingEn = messages.GreetingEn.Trim(),
            };
        }

        campaign.Version++;
        campaign.UpdatedAt = clock.GetUtcNow();
        campaign.UpdatedBy = owner?.Email ?? command.OwnerId.ToString();
        session.Store(campaign);
        await session.SaveChangesAsync(cancellationToken);
        return await CampaignViews.ViewAsync(session, campaign, cancellationToken);
    }
}
