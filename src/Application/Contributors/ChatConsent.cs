using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Domain.Campaigns;
using Marten;

namespace CoConstruisons.Application.Contributors;

/// <summary>
/// A chat user (a channel identity a gateway speaks for) is asked questions only with their consent recorded on the
/// project (<c>CampaignService.RecordConsent</c>, which the gateway calls first) and not after they said stop. A web
/// page's contributor consents on the page itself: their session exists only once the notice was accepted.
/// </summary>
public static class ChatConsent
{
    /// <summary>Whether <paramref name="credential"/> names a chat user rather than a web session.</summary>
    public static bool IsChatUser(ContributorCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return string.IsNullOrEmpty(credential.SessionToken);
    }

    /// <summary>The reason the chat user may not be asked anything now; null when they may.</summary>
    public static async Task<string?> ProblemAsync(IDocumentStore store, Guid projectId, string contributorId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var session = store.QuerySession();
        var engagement = await session.LoadAsync<Engagement>(Engagement.StreamId(projectId, contributorId), cancellationToken);
        return engagement switch
        {
            { Active: true } => null,
            { OptedOut: true } => Texts.T(
                "Ce contributeur a demandé l'arrêt sur ce projet : aucune question tant qu'il ne consent pas de nouveau.",
                "This contributor asked to stop on this project: no question until they consent again."),
            _ => Texts.T(
                "Ce contributeur n'a pas donné son consentement sur ce projet : la passerelle l'enregistre d'abord (CampaignService.RecordConsent).",
                "This contributor has not given their consent on this project: the gateway records it first (CampaignService.RecordConsent)."),
        };
    }

    /// <summary>Refuses (failed precondition) to ask the chat user anything without their consent.</summary>
    public static async Task RequireAsync(IDocumentStore store, Guid projectId, string contributorId, CancellationToken cancellationToken)
    {
        if (await ProblemAsync(store, projectId, contributorId, cancellationToken) is { } problem)
        {
            throw new RuleViolationException(problem);
        }
    }
}
