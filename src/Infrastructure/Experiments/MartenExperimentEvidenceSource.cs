using CoConstruisons.Application.Experiments;
using CoConstruisons.Domain.Campaigns;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Experiments;
using CoConstruisons.Domain.Items;
using Marten;

namespace CoConstruisons.Infrastructure.Experiments;

/// <summary>
/// Reads an experiment's evidence straight from the event store: its <see cref="ExperimentExposure"/>
/// events, then, for the exposed contributors only, their consents, stops and answers (gold items
/// judged against their <see cref="GoldAnswerSet"/>).
/// </summary>
public sealed class MartenExperimentEvidenceSource(IDocumentStore store) : IExperimentEvidenceSource
{
    public async Task<ExperimentEvidence> LoadAsync(string experiment, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var exposures = await session.Events.QueryRawEventDataOnly<ExperimentExposure>()
            .Where(e => e.Experiment == experiment).ToListAsync(cancellationToken);
        var ids = exposures.Select(e => e.ContributorId).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return new ExperimentEvidence([], new Dictionary<string, ContributorHistory>());
        }

        var consents = await session.Events.QueryRawEventDataOnly<ConsentRecorded>()
            .Where(c => c.ContributorId.IsOneOf(ids)).ToListAsync(cancellationToken);
        var stops = await session.Events.QueryRawEventDataOnly<ContributorOptedOut>()
            .Where(c => c.ContributorId.IsOneOf(ids)).ToListAsync(cancellationToken);
        var answers = await session.Events.QueryRawEventDataOnly<AnswerSubmitted>()
            .Where(a => a.ContributorId.IsOneOf(ids)).ToListAsync(cancellationToken);
        var items = answers.Select(a => a.ItemId).Distinct().ToArray();
        var gold = items.Length == 0
            ? []
            : await session.Events.QueryRawEventDataOnly<GoldAnswerSet>().Where(g => g.ItemId.IsOneOf(items)).ToListAsync(cancellationToken);
        var goldChoice = gold.GroupBy(g => g.ItemId).ToDictionary(g => g.Key, g => g.OrderBy(x => x.SetAt).Last().Choice);

        var firstExposure = exposures.GroupBy(e => e.ContributorId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Min(e => e.At), StringComparer.Ordinal);
        var consentsOf = consents.ToLookup(c => c.ContributorId, StringComparer.Ordinal);
        var stopsOf = stops.ToLookup(c => c.ContributorId, StringComparer.Ordinal);
        var answersOf = answers.ToLookup(a => a.ContributorId, StringComparer.Ordinal);
        var histories = new Dictionary<string, ContributorHistory>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var t0 = firstExposure[id];
            // The consent that counts: the one in force at the first exposure, else the first one after it.
            var theirs = consentsOf[id].OrderBy(c => c.At).ToList();
            var consentedAt = theirs.LastOrDefault(c => c.At <= t0)?.At ?? theirs.FirstOrDefault(c => c.At > t0)?.At;
            var optedOutAt = stopsOf[id].Where(s => s.At >= t0).OrderBy(s => s.At).FirstOrDefault()?.At;
            var facts = answersOf[id].Where(a => a.Choice != Domain.Projects.Choice.DontKnowKey)
                .Select(a => new AnswerFact(a.SubmittedAt, goldChoice.TryGetValue(a.ItemId, out var g) ? g == a.Choice : null))
                .ToList();
            histories[id] = new ContributorHistory(id, consentedAt, optedOutAt, facts);
        }

        return new ExperimentEvidence(exposures, histories);
    }
}
