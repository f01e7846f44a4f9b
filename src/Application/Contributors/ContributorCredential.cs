using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;

namespace CoConstruisons.Application.Contributors;

/// <summary>
/// How a caller says who the contributor is: a web session token (portal page), or a channel user
/// spoken for by an authenticated gateway (<see cref="CallerIsService"/>).
/// </summary>
public sealed record ContributorCredential(string? SessionToken, string? Channel, string? ChannelUserId, bool CallerIsService);

/// <summary>Payload of a web session token, issued after the consent notice was accepted.</summary>
public sealed record WebSession(Guid ProjectId, string SessionId, string ConsentVersion, DateTimeOffset ConsentedAt, string? LinkedContributorId = null);

/// <summary>Payload of an identity link: the pseudonymous contributor a web session may continue as.</summary>
public sealed record IdentityLink(Guid ProjectId, string ContributorId);

/// <summary>The pseudonymous contributor behind a credential, and the channel they use.</summary>
public sealed record ResolvedContributor(string ContributorId, string Channel, DateTimeOffset? ConsentedAt, string ConsentVersion);

public sealed class ContributorResolver(ITokenService tokens, IPseudonymizer pseudonymizer)
{
    public ResolvedContributor Resolve(ContributorCredential credential, Guid projectId)
    {
        if (!string.IsNullOrEmpty(credential.SessionToken))
        {
            var session = tokens.Read<WebSession>(TokenPurposes.WebSession, credential.SessionToken)
                ?? throw new UnauthenticatedException(Texts.T(
                    "Session de contribution invalide ou expirée : rechargez la page.",
                    "Invalid or expired contributor session: reload the page."));
            if (session.ProjectId != projectId)
            {
                throw new ForbiddenException(Texts.T("Cette session vaut pour un autre projet.", "This session is for another project."));
            }

            var id = session.LinkedContributorId ?? pseudonymizer.ContributorId("web", session.SessionId);
            return new ResolvedContributor(id, "web", session.ConsentedAt, session.ConsentVersion);
        }

        if (!string.IsNullOrEmpty(credential.Channel) && !string.IsNullOrEmpty(credential.ChannelUserId))
        {
            if (!credential.CallerIsService)
            {
                throw new UnauthenticatedException(Texts.T(
                    "Seul un service authentifié peut parler au nom d'un utilisateur de canal.",
                    "Only an authenticated service may speak for a channel user."));
            }

            var channel = credential.Channel.Trim().ToLowerInvariant();
            return new ResolvedContributor(pseudonymizer.ContributorId(channel, credential.ChannelUserId), channel, null, "");
        }

        throw new UnauthenticatedException(Texts.T(
            "Contributeur non identifié : il faut un jeton de session ou un utilisateur de canal.",
            "No contributor identity: a session token or a channel user is required."));
    }
}
