using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Consensus;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Models;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Consensus;

/// <summary>
/// Full consensus refit of a project (Quartz runs it regularly; owners may ask for it): estimates
/// every contributor's skill, records a <see cref="ConsensusRefitted"/> event with them, updates each
/// item whose label or confidence moved (<see cref="ItemBeliefUpdated"/> naming this fit), and
/// retires items that became confident.
/// </summary>
public sealed record RefitConsensus(Guid ProjectId, Guid? OwnerId = null) : ICommand<RefitResult>;

public sealed record RefitResult(Guid FitId, int Answers, int Contributors, int ChangedItems, int RetiredItems);

public sealed class RefitConsensusHandler(IDocumentSession session, ConsensusCache cache, TimeProvider clock)
    : ICommandHandler<RefitConsensus, RefitResult>
{
    public async ValueTask<RefitResult> Handle(RefitConsensus command, CancellationToken cancellationToken)
    {
        var project = command.OwnerId is { } owner
            ? await session.LoadOwnedAsync(command.ProjectId, owner, cancellationToken)
            : await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var now = clock.GetUtcNow();
        var fitId = Guid.CreateVersion7();
        var entry = await ConsensusCache.FitAsync(session, project, fitId, now, cancellationToken);
        var fit = entry.Fit;

        var progress = await session.Query<ItemProgress>().Where(p => p.ProjectId == project.Id).ToListAsync(cancellationToken);
        var policy = project.Settings.Retirement;
        var changed = 0;
        var retired = 0;
        // Items the skills were not learnt from: their belief comes from their answers under the fitted skills.
        var others = new Dictionary<string, ItemPosterior>(StringComparer.Ordinal);
        foreach (var group in (entry.Unchecked ?? []).GroupBy(a => a.Item, StringComparer.Ordinal))
        {
            var belief = fit.NewBelief();
            foreach (var a in group)
            {
                fit.Update(belief, a.Worker, a.Label, a.Channel);
            }

            var decision = fit.Decide(belief);
            others[group.Key] = new ItemPosterior(group.Key, belief.Posterior(), decision.Label, decision.Confidence, belief.Evidence, IsGold: false);
        }

        foreach (var item in progress)
        {
            if (!(fit.Items.TryGetValue(item.Id.ToString(), out var posterior) || others.TryGetValue(item.Id.ToString(), out posterior)) || posterior.Evidence == 0)
            {
                continue;
            }

            // The fit's posterior is class prior + evidence; the item's model prior (latest
            // prediction × the owner's weight) is added on top, so a refit keeps it, and takes a
            // new model's prediction or a new weight (docs/consensus.md).
            var logScores = posterior.Probabilities.Select(p => Math.Log(Math.Max(p, 1e-300))).ToArray();
            var prior = item.ModelPriorFor(project.Settings);
            var (label, confidence) = (posterior.Label, posterior.Confidence);
            if (prior is not null)
            {
                var belief = new ItemBelief(ModelPrior.Rebase(logScores, null, prior), posterior.Evidence);
                logScores = [.. belief.LogScores];
                var decision = fit.Decide(belief);
                (label, confidence) = (decision.Label, decision.Confidence);
            }

            if (item.Label != label || Math.Abs(item.Confidence - confidence) > 1e-6 || !ModelPrior.Same(item.PriorLogScores, prior))
            {
                changed++;
                session.Events.Append(item.Id, new ItemBeliefUpdated(
                    item.Id, project.Id, label, confidence, logScores, posterior.Evidence, fitId, now,
                    prior, prior is null ? null : item.ModelVersion, prior is null ? 0 : project.Settings.ModelPriorWeight));
            }

            if (!item.Retired && !item.IsGold && policy.ShouldRetire(item.EvidenceCount, confidence))
            {
                retired++;
                session.Events.Append(item.Id, new ItemRetired(item.Id, project.Id, label, confidence, item.EvidenceCount, now));
            }
        }

        session.Events.Append(project.Id, new ConsensusRefitted(
            project.Id, fitId, fit.Method, entry.Answers, fit.Items.Count,
            fit.Workers.ToDictionary(w => w.Key, w => Math.Round(w.Value.Accuracy, 4)), now));
        session.Store(new ProjectConsensus { Id = project.Id, FitId = fitId, FittedAt = now, Answers = entry.Answers });
        await session.SaveChangesAsync(cancellationToken);
        cache.Remember(project.Id, entry);
        return new RefitResult(fitId, entry.Answers, fit.Workers.Count, changed, retired);
    }
}
