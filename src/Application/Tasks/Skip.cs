using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Contributions;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Tasks;

/// <summary>The contributor passes on the reserved item; it is not offered to them again. Skipping twice changes nothing.</summary>
public sealed record Skip(Guid ProjectId, ContributorCredential Contributor, string ReservationToken) : ICommand<bool>;

public sealed class SkipHandler(IDocumentSession session, ContributorResolver resolver, ITokenService tokens, CandidateCache candidates, TimeProvider clock)
    : ICommandHandler<Skip, bool>
{
    public async ValueTask<bool> Handle(Skip command, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var contributor = resolver.Resolve(command.Contributor, project.Id);
        var reservation = tokens.ReadReservation(command.ReservationToken, project.Id, contributor.ContributorId);
        var stream = await session.Events.FetchForWriting<ItemProgress>(reservation.ItemId, cancellationToken);
        if (stream.Aggregate is null || stream.Aggregate.ContributorIds.Contains(contributor.ContributorId))
        {
            return false;
        }

        stream.AppendOne(new AnswerSkipped(reservation.ItemId, project.Id, contributor.ContributorId, contributor.Channel, clock.GetUtcNow()));
        var progressId = ContributorProgress.IdFor(contributor.ContributorId, project.Id);
        var progress = await session.LoadAsync<ContributorProgress>(progressId, cancellationToken) ?? new ContributorProgress { Id = progressId };
        progress.Saw(reservation.ItemId);
        session.Store(progress);
        await session.SaveChangesAsync(cancellationToken);
        candidates.Answered(project.Id, reservation.ItemId, contributor.ContributorId, evidence: false, retired: false);
        return true;
    }
}
