using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Domain.Owners;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Owners;

/// <summary>Payload of an owner's access token.</summary>
public sealed record OwnerAccess(Guid OwnerId);

public sealed record SignIn(string Email, string Password) : ICommand<SignedIn>;

public sealed record SignedIn(string AccessToken, Owner Owner, DateTimeOffset ExpiresAt);

public sealed class SignInValidator : AbstractValidator<SignIn>
{
    public SignInValidator()
    {
        RuleFor(c => c.Email).NotEmpty().WithMessage(_ => Texts.T("L'adresse électronique est obligatoire.", "An email is required."));
        RuleFor(c => c.Password).NotEmpty().WithMessage(_ => Texts.T("Le mot de passe est obligatoire.", "A password is required."));
    }
}

public sealed class SignInHandler(IQuerySession session, IPasswordHasher hasher, ITokenService tokens, TimeProvider clock)
    : ICommandHandler<SignIn, SignedIn>
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public async ValueTask<SignedIn> Handle(SignIn command, CancellationToken cancellationToken)
    {
        var email = Owner.NormalizeEmail(command.Email);
        var owner = await session.Query<Owner>().FirstOrDefaultAsync(o => o.Email == email, cancellationToken);
        if (owner is null || !hasher.Verify(command.Password, owner.PasswordHash))
        {
            throw new UnauthenticatedException(Texts.T("Adresse ou mot de passe incorrect.", "Wrong email or password."));
        }

        var expires = clock.GetUtcNow() + Lifetime;
        return new SignedIn(tokens.Issue(TokenPurposes.Owner, new OwnerAccess(owner.Id), expires), owner, expires);
    }
}
