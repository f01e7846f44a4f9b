using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Contributors;

/// <summary>
/// A gateway asks for a link so that its user continues on the web page as the same pseudonymous
/// contributor (their answers, stats and "never twice" rules are shared). Valid one hour.
/// </summary>
public sealed record CreateIdentityLink(Guid ProjectId, ContributorCredential Contributor) : ICommand<CreatedLink>;

public sealed record CreatedLink(string Token, DateTimeOffset ExpiresAt);

public sealed class CreateIdentityLinkHandler(IQuerySession session, ContributorResolver resolver, ITokenService tokens, TimeProvider clock)
    : ICommandHandler<CreateIdentityLink, CreatedLink>
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public async ValueTask<CreatedLink> Handle(CreateIdentityLink command, CancellationToken cancellationToken)
    {
        if (!command.Contributor.CallerIsService || string.IsNullOrEmpty(command.Contributor.Channel))
        {
            throw new UnauthenticatedException(Texts.T(
                "Seul un service authentifié peut créer un lien pour l'un de ses utilisateurs.",
                "Only an authenticated service may create a link for one of its users."));
        }

        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(command.Contributor, project.Id);
        var expires = clock.GetUtcNow() + Lifetime;
        return new CreatedLink(tokens.Issue(TokenPurposes.IdentityLink, new IdentityLink(project.Id, contributor.ContributorId), expires), expires);
    }
}
