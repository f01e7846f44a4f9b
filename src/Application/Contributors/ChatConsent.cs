using System.Collections.Concurrent;
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
/// <remarks>
/// Checked on every <c>NextTask</c> and every answer that asks for the next task, so a consent found active is
/// remembered for <see cref="Remembered"/>: looked up on every answer, <c>bench serve</c> (Release, 40 contributors)
/// measured 1,776 answers/s and 0.47 ms of PostgreSQL per answer, against 2,549 and 0.33 without the check; remembered,
/// 2,614 and 0.33. "Stop", a declined consent and an erasure forget it at once on the node that records them;
/// another node of the same platform may ask at most one more question within that time (the gateway checks the
/// engagement itself before every question, so it does not).
/// </remarks>
public sealed class ChatConsent(IDocumentStore store, TimeProvider clock)
{
    /// <summary>How long an active consent found in the store is trusted without looking again.</summary>
    public static readonly TimeSpan Remembered = TimeSpan.FromSeconds(5);

    private const int MostRemembered = 100_000;

    private readonly ConcurrentDictionary<(Guid Project, string Contributor), DateTimeOffset> _active = new();

    /// <summary>Whether <paramref name="credential"/> names a chat user rather than a web session.</summary>
    public static bool IsChatUser(ContributorCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return string.IsNullOrEmpty(credential.SessionToken);
    }

    /// <summary>The reason the chat user may not be asked anything now, in the current language; null when they may.</summary>
    public async Task<string?> ProblemAsync(Guid projectId, string contributorId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_active.TryGetValue((projectId, contributorId), out var until) && until > now)
        {
            return null;
        }

        await using var session = store.QuerySession();
        var engagement = await session.LoadAsync<Engagement>(Engagement.StreamId(projectId, contributorId), cancellationToken);
        if (engagement is { Active: true })
        {
            if (_active.Count >= MostRemembered)
            {
                _active.Clear();
            }

            _active[(projectId, contributorId)] = now + Remembered;
            return null;
        }

        _active.TryRemove((projectId, contributorId), out _);
        return engagement is { OptedOut: true }
            ? Texts.T(
                "Ce contributeur a demandé l'arrêt sur ce projet : aucune question tant qu'il ne consent pas de nouveau.",
                "This contributor asked to stop on this project: no question until they consent again.")
            : Texts.T(
                "Ce contributeur n'a pas donné son consentement sur ce projet : la passerelle l'enregistre d'abord (CampaignService.RecordConsent).",
                "This contributor has not given their consent on this project: the gateway records it first (CampaignService.RecordConsent).");
    }

    /// <summary>Refuses (failed precondition) to ask the chat user anything without their consent.</summary>
    public async Task RequireAsync(Guid projectId, string contributorId, CancellationToken cancellationToken)
    {
        if (await ProblemAsync(projectId, contributorId, cancellationToken) is { } problem)
        {
            throw new RuleViolationException(problem);
        }
    }

    /// <summary>Forgets a remembered consent (after "stop", a declined consent or an erasure on this node).</summary>
    public void Forget(Guid projectId, string contributorId) => _active.TryRemove((projectId, contributorId), out _);
}
