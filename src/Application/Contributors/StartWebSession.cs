using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Projects;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Contributors;

/// <summary>Starts an anonymous labelling session once the consent notice is accepted. No account, no contributor yet.</summary>
public sealed record StartWebSession(Guid ProjectId, bool ConsentAccepted, string ConsentVersion, string? LinkToken = null) : ICommand<StartedSession>;

public sealed record StartedSession(string Token, DateTimeOffset ExpiresAt);

public sealed class StartWebSessionValidator : AbstractValidator<StartWebSession>
{
    public StartWebSessionValidator()
    {
        RuleFor(c => c.ConsentAccepted).Equal(true)
            .WithMessage(_ => Texts.T("Il faut accepter la notice de consentement pour contribuer.", "The consent notice must be accepted to contribute."));
        RuleFor(c => c.ConsentVersion).MaximumLength(40)
            .WithMessage(_ => Texts.T("La version du texte de consentement a 40 caractères au plus.", "The consent text's version is at most 40 characters."));
    }
}

public sealed class StartWebSessionHandler(IQuerySession session, ITokenService tokens, TimeProvider clock)
    : ICommandHandler<StartWebSession, StartedSession>
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public async ValueTask<StartedSession> Handle(StartWebSession command, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var now = clock.GetUtcNow();
        var expires = now + Lifetime;
        var sessionId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string? linked = null;
        if (!string.IsNullOrEmpty(command.LinkToken))
        {
            var link = tokens.Read<IdentityLink>(TokenPurposes.IdentityLink, command.LinkToken);
            if (link is null || link.ProjectId != project.Id)
            {
                throw new Common.Exceptions.ForbiddenException(Common.Texts.T(
                    "Lien invalide ou expiré : redemandez-en un depuis votre messagerie.",
                    "Invalid or expired link: ask for a new one from your chat."));
            }

            linked = link.ContributorId;
        }

        var payload = new WebSession(project.Id, sessionId, string.IsNullOrEmpty(command.ConsentVersion) ? "1" : command.ConsentVersion, now, linked);
        return new StartedSession(tokens.Issue(TokenPurposes.WebSession, payload, expires), expires);
    }
}
