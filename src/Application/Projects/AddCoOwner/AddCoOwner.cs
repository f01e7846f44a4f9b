using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Domain.Owners;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.AddCoOwner;

/// <summary>Shares a project with another owner, who must already have an account.</summary>
public sealed record AddCoOwner(Guid OwnerId, Guid ProjectId, string Email) : ICommand<ProjectSummary>;

public sealed class AddCoOwnerValidator : AbstractValidator<AddCoOwner>
{
    public AddCoOwnerValidator()
    {
        RuleFor(c => c.Email).Cascade(CascadeMode.Stop).NotEmpty().WithMessage(_ => Texts.T("Adresse électronique invalide.", "Invalid email address.")).EmailAddress()
            .WithMessage(_ => Texts.T("Adresse électronique invalide.", "Invalid email address."));
    }
}

public sealed class AddCoOwnerHandler(IDocumentSession session) : ICommandHandler<AddCoOwner, ProjectSummary>
{
    public async ValueTask<ProjectSummary> Handle(AddCoOwner command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var email = Owner.NormalizeEmail(command.Email);
        var coOwner = await session.Query<Owner>().FirstOrDefaultAsync(o => o.Email == email, cancellationToken)
            ?? throw new NotFoundException(Texts.T(
                $"Aucun compte porteur de projet pour « {email} ».",
                $"No project owner account for '{email}'."));
        if (project.AddOwner(coOwner.Id))
        {
            session.Store(project);
            await session.SaveChangesAsync(cancellationToken);
        }

        return await session.SummarizeAsync(project, cancellationToken);
    }
}
