using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Assignment;
using CoConstruisons.Domain.Consensus;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Contributors;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Projects;
using FluentValidation;
using FluentValidation.Results;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Tasks;

/// <summary>
/// Records a contributor's answer exactly once: the event and the receipt for its idempotency
/// key are committed together, and a retry with the same key returns the stored result.
/// </summary>
public sealed record SubmitAnswer(
    Guid ProjectId,
    ContributorCredential Contributor,
    string ReservationToken,
    string Choice,
    int TimeTakenMs,
    string IdempotencyKey) : ICommand<SubmitAnswerResult>;

/// <summary>What was acknowledged for one (contributor, idempotency key): replayed on retries.</summary>
public sealed class AnswerReceipt
{
    public required string Id { get; set; }
    public Guid AnswerId { get; set; }
    public Guid ItemId { get; set; }
    public required string Choice { get; set; }
    public string Feedback { get; set; } = "";

    public static string IdFor(string contributorId, string idempotencyKey) => contributorId + "|" + idempotencyKey;
}

public sealed class SubmitAnswerValidator : AbstractValidator<SubmitAnswer>
{
    public SubmitAnswerValidator()
    {
        RuleFor(c => c.IdempotencyKey).NotEmpty().MaximumLength(200)
            .WithMessage(_ => Texts.T("Une clé d'idempotence (1 à 200 caractères) est obligatoire.", "An idempotency key (1 to 200 characters) is required."));
        RuleFor(c => c.Choice).NotEmpty()
            .WithMessage(_ => Texts.T("Le choix est obligatoire.", "A choice is required."));
        RuleFor(c => c.ReservationToken).NotEmpty()
            .WithMessage(_ => Texts.T("Le jeton de réservation est obligatoire.", "A reservation token is required."));
        RuleFor(c => c.TimeTakenMs).InclusiveBetween(0, 24 * 3600 * 1000)
            .WithMessage(_ => Texts.T("Durée de réponse invalide.", "Invalid time taken."));
    }
}

public sealed class SubmitAnswerHandler(
    IDocumentStore store,
    Consensus.ConsensusCache cache,
    TaskReadCache readCache,
    CandidateCache candidates,
    ContributorResolver resolver,
    ITokenService tokens,
    RateLimiter limiter,
    Microsoft.Extensions.Options.IOptions<RateLimitOptions> limits,
    TimeProvider clock)
    : ICommandHandler<SubmitAnswer, SubmitAnswerResult>
{
    public async ValueTask<SubmitAnswerResult> Handle(SubmitAnswer command, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await TryOnce(command, cancellationToken);
            }
            catch (Exception ex) when (attempt < 5 && ConcurrencyConflicts.IsConflict(ex))
            {
                // Another answer on the same item (or the same retry) committed first: decide again on fresh state.
                await Task.Delay(Random.Shared.Next(1, 10) * (attempt + 1), cancellationToken);
            }
        }
    }

    private async Task<SubmitAnswerResult> TryOnce(SubmitAnswer command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var project = await readCache.ProjectAsync(session, command.ProjectId, ct);
        var contributor = resolver.Resolve(command.Contributor, project.Id);
        var reservation = tokens.ReadReservation(command.ReservationToken, project.Id, contributor.ContributorId);
        var now = clock.GetUtcNow();
        var progressId = ContributorProgress.IdFor(contributor.ContributorId, project.Id);
        var receiptId = AnswerReceipt.IdFor(contributor.ContributorId, command.IdempotencyKey);

        // Everything the decision reads, in one round trip; the item's stream is fetched for writing
        // (its version is checked again when the answer is appended).
        var batch = session.CreateBatchQuery();
        var receiptQuery = batch.Load<AnswerReceipt>(receiptId);
        var itemQuery = batch.Load<Item>(reservation.ItemId);
        var streamQuery = batch.Events.FetchForExclusiveWriting<ItemProgress>(reservation.ItemId);
        var progressQuery = batch.Load<ContributorProgress>(progressId);
        var contributorQuery = batch.Load<Contributor>(contributor.ContributorId);
        await batch.Execute(ct);
        var remaining = await candidates.OpenCountAsync(project.Id, ct);

        var known = await progressQuery;
        var receipt = await receiptQuery;
        if (receipt is not null)
        {
            if (receipt.ItemId != reservation.ItemId || receipt.Choice != command.Choice)
            {
                throw new ValidationException([new ValidationFailure(nameof(SubmitAnswer.IdempotencyKey), Texts.T(
                    "Cette clé d'idempotence a déjà servi pour une autre réponse.",
                    "This idempotency key was already used for a different answer."))]);
            }

            return new SubmitAnswerResult(receipt.AnswerId, true, receipt.Feedback, TaskReadCache.Stats(known, now, remaining));
        }

        limiter.Take("contributor:" + contributor.ContributorId, limits.Value.ContributorPerSecond, limits.Value.ContributorBurst);

        if (!project.Settings.IsValidAnswer(command.Choice))
        {
            throw new ValidationException([new ValidationFailure(nameof(SubmitAnswer.Choice), Texts.T(
                $"« {command.Choice} » n'est pas un choix de ce projet.",
                $"'{command.Choice}' is not a choice of this project."))]);
        }

        var item = await itemQuery ?? throw NotFoundException.Item(reservation.ItemId);
        var stream = await streamQuery;
        var state = stream.Aggregate ?? throw NotFoundException.Item(item.Id);
        if (state.ContributorIds.Contains(contributor.ContributorId))
        {
            throw new RuleViolationException(Texts.T("Vous avez déjà répondu sur cette image.", "You already answered this image."));
        }

        var policy = project.Settings.Retirement;
        var isGold = item.GoldChoice is not null;
        // An item that retired early (confident) still takes the answers of people who were already
        // shown it: their effort is evidence, never wasted. Only the cap refuses an answer.
        if (!isGold && command.Choice != Choice.DontKnowKey && policy.OpenSlots(state.EvidenceCount) == 0)
        {
            throw new RuleViolationException(Texts.T(
                "Cette image a déjà toutes ses réponses : merci ! Demandez-en une autre.",
                "This image already has all its answers: thank you! Ask for another one."));
        }

        var retired = false;
        var answer = new AnswerSubmitted(
            Guid.CreateVersion7(), item.Id, project.Id, contributor.ContributorId, command.Choice,
            contributor.Channel, command.TimeTakenMs, command.IdempotencyKey, now);
        stream.AppendOne(answer);
        if (command.Choice != Choice.DontKnowKey)
        {
            // Incremental consensus: the item's belief plus this answer, weighed by the contributor's
            // skill from the latest refit (the prior skill for a newcomer).
            var consensus = await cache.GetAsync(session, project, ct);
            ItemBelief belief;
            Domain.Consensus.LabelDecision decision;
            lock (consensus.Fit)
            {
                belief = state.LogScores is { } scores && scores.Length == project.Settings.Choices.Count
                    ? new ItemBelief(scores, state.EvidenceCount)
                    : consensus.Fit.NewBelief();
                consensus.Fit.Update(belief, contributor.ContributorId, command.Choice, contributor.Channel);
                decision = consensus.Fit.Decide(belief);
            }

            stream.AppendOne(new ItemBeliefUpdated(
                item.Id, project.Id, decision.Label, decision.Confidence, [.. belief.LogScores], belief.Evidence, consensus.FitId, now));
            if (!isGold && !state.Retired && policy.ShouldRetire(state.EvidenceCount + 1, decision.Confidence))
            {
                // Gold items never retire: they keep checking contributors.
                retired = true;
                stream.AppendOne(new ItemRetired(item.Id, project.Id, decision.Label, decision.Confidence, state.EvidenceCount + 1, now));
            }
        }

        var feedback = GoldFeedback(project, item, command.Choice);
        session.Insert(new AnswerReceipt { Id = receiptId, AnswerId = answer.AnswerId, ItemId = item.Id, Choice = command.Choice, Feedback = feedback });
        var progress = known ?? new ContributorProgress { Id = progressId };
        progress.Record(now, item.GoldChoice is null || command.Choice == Choice.DontKnowKey ? null : item.GoldChoice == command.Choice);
        session.Store(progress);
        if (await contributorQuery is null)
        {
            session.Insert(new Contributor
            {
                Id = contributor.ContributorId,
                Channel = contributor.Channel,
                FirstSeenAt = now,
                ConsentedAt = contributor.ConsentedAt ?? now,
                ConsentVersion = contributor.ConsentVersion,
            });
        }

        await session.SaveChangesAsync(ct);
        candidates.Answered(project.Id, item.Id, contributor.ContributorId, command.Choice != Choice.DontKnowKey, retired);
        return new SubmitAnswerResult(answer.AnswerId, false, feedback, TaskReadCache.Stats(progress, now, remaining));
    }

    private static string GoldFeedback(Project project, Item item, string choice)
    {
        if (item.GoldChoice is null || choice == Choice.DontKnowKey)
        {
            return "";
        }

        if (item.GoldChoice == choice)
        {
            return Texts.T("Bravo, c'est juste !", "Correct!");
        }

        var label = project.Settings.Choices.FirstOrDefault(c => c.Key == item.GoldChoice)?.Label ?? item.GoldChoice;
        return Texts.T($"La plupart des gens voient « {label} » ici.", $"Most people see \"{label}\" here.");
    }
}
