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
/// key are committed together, and a retry with the same key returns the stored result. With
/// <paramref name="AndNext"/>, the contributor's next task is chosen and reserved at the same time
/// (never the item answered) and returned with the result: one call per answer.
/// </summary>
public sealed record SubmitAnswer(
    Guid ProjectId,
    ContributorCredential Contributor,
    string ReservationToken,
    string Choice,
    int TimeTakenMs,
    string IdempotencyKey,
    bool AndNext = false) : ICommand<SubmitAnswerResult>;

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
        RuleFor(c => c.IdempotencyKey).Must(k => !string.IsNullOrWhiteSpace(k) && k.Length <= 200)
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
    TaskReadCache readCache,
    ContributorResolver resolver,
    ChatConsent consent,
    ITokenService tokens,
    AnswerWriter writer,
    TaskDispenser dispenser)
    : ICommandHandler<SubmitAnswer, SubmitAnswerResult>
{
    public async ValueTask<SubmitAnswerResult> Handle(SubmitAnswer command, CancellationToken cancellationToken)
    {
        var project = await readCache.ProjectAsync(store, command.ProjectId, cancellationToken);

        var contributor = resolver.Resolve(command.Contributor, project.Id);
        var reservation = tokens.ReadReservation(command.ReservationToken, project.Id, contributor.ContributorId);
        if (!project.Settings.IsValidAnswer(command.Choice))
        {
            throw new ValidationException([new ValidationFailure(nameof(SubmitAnswer.Choice), Texts.T(
                $"« {command.Choice} » n'est pas un choix de ce projet.",
                $"'{command.Choice}' is not a choice of this project."))]);
        }

        if (command.AndNext && ChatConsent.IsChatUser(command.Contributor) &&
            await consent.ProblemAsync(project.Id, contributor.ContributorId, cancellationToken) is not null)
        {
            // The answer given is kept; a chat user who said stop (or never consented) is asked nothing more.
            command = command with { AndNext = false };
        }

        if (command.AndNext)
        {
            // The next task's rate limit is taken first: over it, the call is refused before anything
            // is written. The writer asks for the next task once the answer is decided.
            dispenser.TakeLimit(contributor.ContributorId);
        }

        return await writer.SubmitAsync(command, project, contributor, reservation, cancellationToken);
    }
}

/// <summary>
/// Decides and records answers (docs/assignment.md, "Group commit"): the answers that arrive while
/// the previous group is being written are decided together, on state read in one round trip with
/// each item's stream row locked, and committed in one transaction; each caller is acknowledged
/// only once its answer is committed. Two answers on the same item, by the same contributor or
/// with the same receipt never share a group (the second waits for the next one). When a group's
/// commit fails (another node wrote one of its items first), each answer is decided again alone,
/// on fresh state, with the same retries as before.
/// </summary>
public sealed class AnswerWriter : IAsyncDisposable
{
    /// <summary>The most answers decided and committed together.</summary>
    public const int MaxGroup = 64;

    /// <summary>
    /// Groups being decided and committed at once: the next group's reads overlap the previous
    /// group's commit. Two groups in flight never share an item, a contributor or a receipt.
    /// </summary>
    public const int MaxInFlight = 2;

    private readonly IDocumentStore _store;
    private readonly Consensus.ConsensusCache _cache;
    private readonly CandidateCache _candidates;
    private readonly RateLimiter _limiter;
    private readonly Microsoft.Extensions.Options.IOptions<RateLimitOptions> _limits;
    private readonly TimeProvider _clock;
    private readonly TaskDispenser _dispenser;
    private readonly GroupQueue<Pending, SubmitAnswerResult> _queue;

    public AnswerWriter(
        IDocumentStore store,
        Consensus.ConsensusCache cache,
        CandidateCache candidates,
        RateLimiter limiter,
        Microsoft.Extensions.Options.IOptions<RateLimitOptions> limits,
        TimeProvider clock,
        TaskDispenser dispenser)
    {
        _dispenser = dispenser;
        _store = store;
        _cache = cache;
        _candidates = candidates;
        _limiter = limiter;
        _limits = limits;
        _clock = clock;
        _queue = new GroupQueue<Pending, SubmitAnswerResult>(MaxGroup, async group => Complete(group, await DecideAndCommitAsync(group)), MaxInFlight);
    }

    private sealed class Pending(
        SubmitAnswer command,
        Project project,
        ResolvedContributor contributor,
        Reservation reservation,
        System.Globalization.CultureInfo culture,
        System.Globalization.CultureInfo uiCulture) : GroupedRequest<SubmitAnswerResult>
    {
        public SubmitAnswer Command { get; } = command;
        public Project Project { get; } = project;
        public ResolvedContributor Contributor { get; } = contributor;
        public Reservation Reservation { get; } = reservation;

        /// <summary>The caller's cultures: refusals are worded in the caller's language.</summary>
        public System.Globalization.CultureInfo Culture { get; } = culture;
        public System.Globalization.CultureInfo UiCulture { get; } = uiCulture;

        public override IEnumerable<string> ExclusiveKeys => ["item:" + Reservation.ItemId, "contributor:" + Contributor.ContributorId];

        public string ReceiptId => AnswerReceipt.IdFor(Contributor.ContributorId, Command.IdempotencyKey);

        /// <summary>The next task asked for with the answer (<see cref="SubmitAnswer.AndNext"/>), once the answer is decided.</summary>
        public Task<NextTaskResult>? Next { get; set; }
    }

    /// <summary>Queues the answer and returns once it is committed (or refused, with the reason).</summary>
    public async Task<SubmitAnswerResult> SubmitAsync(
        SubmitAnswer command, Project project, ResolvedContributor contributor, Reservation reservation, CancellationToken ct)
    {
        var pending = new Pending(command, project, contributor, reservation,
            System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture);
        // A caller that gives up does not withdraw the answer: once queued it is decided, and a retry
        // with the same idempotency key gets the stored result.
        return await _queue.SendAsync(pending, ct);
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private void Complete(List<Pending> group, Outcome[] outcomes)
    {
        for (var i = 0; i < group.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.Error is not null)
            {
                group[i].Done.TrySetException(outcome.Error);
                continue;
            }

            if (outcome.Written)
            {
                var p = group[i];
                _candidates.Answered(p.Project.Id, p.Reservation.ItemId, p.Contributor.ContributorId, outcome.Evidence, outcome.Retired);
            }

            if (group[i].Next is { } next)
            {
                _ = WithNextAsync(group[i], outcome.Result!, next);
                continue;
            }

            group[i].Done.TrySetResult(outcome.Result!);
        }
    }

    /// <summary>Acknowledges a committed answer together with the next task asked for with it.</summary>
    private static async Task WithNextAsync(Pending p, SubmitAnswerResult result, Task<NextTaskResult> next)
    {
        try
        {
            var task = await next;
            p.Done.TrySetResult(result with { Next = task with { Stats = result.Stats } });
        }
        catch (Exception ex)
        {
            // The answer is stored: a retry with the same idempotency key returns it with a next task.
            p.Done.TrySetException(ex);
        }
    }

    /// <param name="Progress">The contributor's progress including this answer (for a replayed receipt, as stored).</param>
    private sealed record Outcome(
        SubmitAnswerResult? Result, Exception? Error, bool Written = false, bool Evidence = false, bool Retired = false, ContributorProgress? Progress = null);

    private sealed class Reads
    {
        public required AnswerReceipt? Receipt { get; init; }
        public required Task<JasperFx.Events.IEventStream<ItemProgress>> Stream { get; init; }
        public required ContributorProgress? Progress { get; init; }
    }

    /// <summary>
    /// Reads what every answer of the group needs in one round trip (item streams locked until the
    /// commit, in item order so two writers never wait on each other in a cycle), decides each
    /// answer, and commits the group's writes in one transaction. A refused answer (validation,
    /// rule) writes nothing and does not stop the others.
    /// </summary>
    private async Task<Outcome[]> DecideAndCommitAsync(List<Pending> group)
    {
        var ct = CancellationToken.None;
        await using var session = _store.LightweightSession();
        var batch = session.CreateBatchQuery();
        // The group's receipts and contributors' progress in one statement each (no two answers of a
        // group share either); each item stream is locked and read on its own.
        var receiptsQuery = batch.LoadMany<AnswerReceipt>().ById(group.Select(p => p.ReceiptId).ToArray());
        var progressQuery = batch.LoadMany<ContributorProgress>().ById(group.Select(ProgressId).ToArray());
        var streams = new Task<JasperFx.Events.IEventStream<ItemProgress>>[group.Count];
        foreach (var i in Enumerable.Range(0, group.Count).OrderBy(i => group[i].Reservation.ItemId))
        {
            streams[i] = batch.Events.FetchForExclusiveWriting<ItemProgress>(group[i].Reservation.ItemId);
        }

        await batch.Execute(ct);
        var receipts = (await receiptsQuery).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var progresses = (await progressQuery).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var reads = group.Select((p, i) => new Reads
        {
            Receipt = receipts.GetValueOrDefault(p.ReceiptId),
            Stream = streams[i],
            Progress = progresses.GetValueOrDefault(ProgressId(p)),
        }).ToArray();
        var consensus = new Dictionary<Guid, Consensus.ConsensusCache.Entry>();
        var outcomes = new Outcome[group.Count];
        var now = _clock.GetUtcNow();
        var wrote = false;
        for (var i = 0; i < group.Count; i++)
        {
            var p = group[i];
            var (culture, uiCulture) = (System.Globalization.CultureInfo.CurrentCulture, System.Globalization.CultureInfo.CurrentUICulture);
            System.Globalization.CultureInfo.CurrentCulture = p.Culture;
            System.Globalization.CultureInfo.CurrentUICulture = p.UiCulture;
            try
            {
                outcomes[i] = await DecideAsync(session, p, reads[i], consensus, now, ct);
                wrote |= outcomes[i].Written;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !ConcurrencyConflicts.IsConflict(ex))
            {
                outcomes[i] = new Outcome(null, ex);
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = culture;
                System.Globalization.CultureInfo.CurrentUICulture = uiCulture;
            }
        }

        for (var i = 0; i < group.Count; i++)
        {
            var p = group[i];
            if (p.Command.AndNext && outcomes[i].Result is not null)
            {
                // Asked together once the group is decided (so the dispenser serves them as one group,
                // beside this group's commit), on the progress just decided, not read again. Once
                // asked, a next task is kept if the group has to be decided again answer by answer.
                p.Next ??= _dispenser.NextAfterAnswerAsync(p.Project, p.Contributor.ContributorId, p.Reservation.ItemId, outcomes[i].Progress);
            }
        }

        if (wrote)
        {
            await session.SaveChangesAsync(ct);
        }

        return outcomes;
    }

    private static string ProgressId(Pending p) => ContributorProgress.IdFor(p.Contributor.ContributorId, p.Project.Id);

    private async Task<Outcome> DecideAsync(
        IDocumentSession session, Pending p, Reads reads, Dictionary<Guid, Consensus.ConsensusCache.Entry> consensus, DateTimeOffset now, CancellationToken ct)
    {
        var command = p.Command;
        var project = p.Project;
        var contributor = p.Contributor;
        var reservation = p.Reservation;
        var remaining = await _candidates.OpenCountAsync(project.Id, ct);

        var known = reads.Progress;
        var receipt = reads.Receipt;
        if (receipt is not null)
        {
            if (receipt.ItemId != reservation.ItemId || receipt.Choice != command.Choice)
            {
                throw new ValidationException([new ValidationFailure(nameof(SubmitAnswer.IdempotencyKey), Texts.T(
                    "Cette clé d'idempotence a déjà servi pour une autre réponse.",
                    "This idempotency key was already used for a different answer."))]);
            }

            return new Outcome(new SubmitAnswerResult(receipt.AnswerId, true, receipt.Feedback, TaskReadCache.Stats(known, now, remaining)), null, Progress: known);
        }

        _limiter.Take("contributor:" + contributor.ContributorId, _limits.Value.ContributorPerSecond, _limits.Value.ContributorBurst);

        var stream = await reads.Stream;
        var state = stream.Aggregate ?? throw NotFoundException.Item(reservation.ItemId);
        // The item's progress carries its gold answer; a row projected before it did is completed from the item.
        var goldChoice = !state.IsGold ? null
            : state.GoldChoice ?? (await session.LoadAsync<Item>(state.Id, ct))?.GoldChoice;
        if (state.ContributorIds.Contains(contributor.ContributorId))
        {
            throw new RuleViolationException(Texts.T("Vous avez déjà répondu sur cette image.", "You already answered this image."));
        }

        var policy = project.Settings.Retirement;
        var isGold = goldChoice is not null;
        // An item that retired early (confident) still takes the answers of people who were already
        // shown it: their effort is evidence, never wasted. Only the cap refuses an answer.
        if (!isGold && command.Choice != Choice.DontKnowKey && policy.OpenSlots(state.EvidenceCount) == 0)
        {
            throw new RuleViolationException(Texts.T(
                "Cette image a déjà toutes ses réponses : merci ! Demandez-en une autre.",
                "This image already has all its answers: thank you! Ask for another one."));
        }

        var evidence = command.Choice != Choice.DontKnowKey;
        if (evidence && !consensus.ContainsKey(project.Id))
        {
            // The project's latest fit, read once per group (before this answer adds any write).
            consensus[project.Id] = await _cache.GetAsync(session, project, ct);
        }

        // Every check passed: from here on the answer only adds writes to the group's session.
        var retired = false;
        AnswerBelief? after = null;
        if (evidence)
        {
            // Incremental consensus: the item's belief plus this answer, weighed by the contributor's
            // skill from the latest refit (the prior skill for a newcomer).
            // The belief is class prior + model prior + evidence: the model prior (the latest
            // prediction, weighed by the owner's setting) replaces whichever prior the stored
            // scores hold when the model or the weight changed since (docs/consensus.md).
            var fit = consensus[project.Id];
            var prior = state.ModelPriorFor(project.Settings);
            ItemBelief belief;
            Domain.Consensus.LabelDecision decision;
            lock (fit.Fit)
            {
                // The stored scores hold the prior they were built with; a first answer starts from the class prior alone.
                var stored = state.LogScores is { } scores && scores.Length == project.Settings.Choices.Count;
                IReadOnlyList<double> start = stored ? state.LogScores! : fit.Fit.NewBelief().LogScores;
                var held = stored ? state.PriorLogScores : null;
                belief = new ItemBelief(
                    Domain.Models.ModelPrior.Same(held, prior) ? start : Domain.Models.ModelPrior.Rebase(start, held, prior),
                    stored ? state.EvidenceCount : 0);

                fit.Fit.Update(belief, contributor.ContributorId, command.Choice, contributor.Channel);
                decision = fit.Fit.Decide(belief);
            }

            // Gold items never retire: they keep checking contributors.
            retired = !isGold && !state.Retired && policy.ShouldRetire(state.EvidenceCount + 1, decision.Confidence);
            after = new AnswerBelief(
                decision.Label, decision.Confidence, [.. belief.LogScores], belief.Evidence, fit.FitId,
                prior, prior is null ? null : state.ModelVersion, prior is null ? 0 : project.Settings.ModelPriorWeight, retired);
        }

        // One event per answer: the answer with the consensus it produced (and whether it retired the item).
        var answer = new AnswerSubmitted(
            Guid.CreateVersion7(), state.Id, project.Id, contributor.ContributorId, command.Choice,
            contributor.Channel, command.TimeTakenMs, command.IdempotencyKey, now, after);
        stream.AppendOne(answer);

        var feedback = GoldFeedback(project, goldChoice, command.Choice);
        session.Insert(new AnswerReceipt { Id = p.ReceiptId, AnswerId = answer.AnswerId, ItemId = state.Id, Choice = command.Choice, Feedback = feedback });
        var progress = known ?? new ContributorProgress { Id = ProgressId(p) };
        progress.Record(now, goldChoice is null || command.Choice == Choice.DontKnowKey ? null : goldChoice == command.Choice);
        progress.Saw(state.Id);
        session.Store(progress);
        // A contributor with progress on this project was recorded with their first answer here (an
        // erasure deletes both together): only a first answer in the project looks the record up.
        if (known is null && await session.LoadAsync<Contributor>(contributor.ContributorId, ct) is null)
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

        return new Outcome(
            new SubmitAnswerResult(answer.AnswerId, false, feedback, TaskReadCache.Stats(progress, now, remaining)), null,
            Written: true, Evidence: evidence, Retired: retired, Progress: progress);
    }

    private static string GoldFeedback(Project project, string? goldChoice, string choice)
    {
        if (goldChoice is null || choice == Choice.DontKnowKey)
        {
            return "";
        }

        if (goldChoice == choice)
        {
            return Texts.T("Bravo, c'est juste !", "Correct!");
        }

        var label = project.Settings.Choices.FirstOrDefault(c => c.Key == goldChoice)?.Label ?? goldChoice;
        return Texts.T($"La plupart des gens voient « {label} » ici.", $"Most people see \"{label}\" here.");
    }
}
