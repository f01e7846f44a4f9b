using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Domain.Owners;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Owners;

/// <summary>Creates an owner account, or returns the existing one with that email (used by seeding and the CLI).</summary>
/// <param name="Researcher">Also grants the researcher role (experiments); an existing account gains it, never loses it here.</param>
public sealed record RegisterOwner(string Email, string DisplayName, string Password, bool Researcher = false) : ICommand<Owner>;

public sealed class RegisterOwnerValidator : AbstractValidator<RegisterOwner>
{
    public RegisterOwnerValidator()
    {
        RuleFor(c => c.Email).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(_ => Texts.T("Adresse électronique invalide.", "Invalid email address.")).EmailAddress().WithMessage(_ => Texts.T("Adresse électronique invalide.", "Invalid email address."));
        RuleFor(c => c.DisplayName).Must(n => !string.IsNullOrWhiteSpace(n) && n.Length <= 200)
            .WithMessage(_ => Texts.T("Le nom affiché est obligatoire (200 caractères au plus).", "The display name is required (at most 200 characters)."));
        RuleFor(c => c.Password).MinimumLength(8)
            .WithMessage(_ => Texts.T("Le mot de passe fait au moins 8 caractères.", "The password is at least 8 characters."));
    }
}

public sealed class RegisterOwnerHandler(IDocumentSession session, IPasswordHasher hasher, TimeProvider clock)
    : ICommandHandler<RegisterOwner, Owner>
{
    public async ValueTask<Owner> Handle(RegisterOwner command, CancellationToken cancellationToken)
    {
        var email = Owner.NormalizeEmail(command.Email);
        var existing = await session.Query<Owner>().FirstOrDefaultAsync(o => o.Email == email, cancellationToken);
        if (existing is not null)
        {
            if (command.Researcher && !existing.IsResearcher)
            {
                existing.IsResearcher = true;
                session.Store(existing);
                await session.SaveChangesAsync(cancellationToken);
            }

            return existing;
        }

        var owner = new Owner
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            DisplayName = command.DisplayName.Trim(),
            PasswordHash = hasher.Hash(command.Password),
            CreatedAt = clock.GetUtcNow(),
            IsResearcher = command.Researcher,
        };
        session.Store(owner);
        await session.SaveChangesAsync(cancellationToken);
        return owner;
    }
}
