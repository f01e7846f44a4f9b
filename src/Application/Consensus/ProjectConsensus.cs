using System.Collections.Concurrent;
using CoConstruisons.Domain.Consensus;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Consensus;

/// <summary>The latest refit of a project (id = project id): which fit, when, from how many answers.</summary>
public sealed class ProjectConsensus
{
    public Guid Id { get; set; }
    public Guid FitId { get; set; }
    public DateTimeOffset FittedAt { get; set; }
    public int Answers { get; set; }
    public long LastEventSequence { get; set; }

    /// <summary>
    /// Contributors' data erased since this fit (counted by the erasure, in its transaction). A node
    /// whose copy of the fit was built at another count builds it again from the events, where the
    /// erased pseudonym is gone: a contributor who comes back after an erasure starts from the prior
    /// skill on every node within <see cref="ConsensusCache.CheckInterval"/>.
    /// </summary>
    public int Erasures { get; set; }
}

/// <summary>
/// The contributor skills each node uses for incremental updates, per project: the latest full fit
/// (<see cref="ConsensusModel"/>, default method), refitted on this node when another node
/// recorded a newer one. Before any refit, every contributor gets the prior skill.
/// </summary>
public sealed class ConsensusCache(TimeProvider clock)
{
    /// <summary>How often a node looks for a newer fit recorded by another node (its own refits are seen at once).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <param name="Unchecked">Answers the skills were not learnt from (items nobody else answered yet): their items' beliefs are built from the fitted skills.</param>
    /// <param name="Erasures">The project's erasure count (<see cref="ProjectConsensus.Erasures"/>) when the fit was built.</param>
    public sealed record Entry(ConsensusFit Fit, Guid FitId, DateTimeOffset FittedAt, int Answers, IReadOnlyList<CrowdAnswer>? Unchecked = null, int Erasures = 0);

    private readonly ConcurrentDictionary<Guid, Entry> _fits = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _checkedUntil = new();

    public static ConsensusOptions OptionsFor(Project project) => new()
    {
        Labels = project.Settings.Choices.Select(c => c.Key).ToList(),
        ChannelPriors = new Dictionary<string, SkillPrior>
        {
            // A CAPTCHA solver is not a volunteer: trusted less until proven.
            ["captcha"] = new(0.6, 5),
        },
    };

    public async Task<Entry> GetAsync(IQuerySession session, Project project, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_fits.TryGetValue(project.Id, out var cached) && _checkedUntil.TryGetValue(project.Id, out var until) && until > now)
        {
            return cached;
        }

        var latest = await session.LoadAsync<ProjectConsensus>(project.Id, ct);
        if (cached is not null && (latest is null || (cached.FitId == latest.FitId && cached.Erasures == latest.Erasures)))
        {
            _checkedUntil[project.Id] = now + CheckInterval;
            return cached;
        }

        var entry = latest is null
            ? new Entry(ConsensusModel.Fit([], OptionsFor(project)), Guid.Empty, DateTimeOffset.MinValue, 0)
            : await FitAsync(session, project, latest.FitId, latest.FittedAt, ct) with { Erasures = latest.Erasures };
        Remember(project.Id, entry);
        return entry;
    }

    public void Remember(Guid projectId, Entry entry)
    {
        _fits[projectId] = entry;
        _checkedUntil[projectId] = clock.GetUtcNow() + CheckInterval;
    }

    /// <summary>
    /// Fits the project's answers so far (gold items anchor the skills). Skills are learnt from
    /// checked answers only (<see cref="CheckedAnswers"/>: items with another answer, or gold), as in
    /// the OpenSolarMap replay that measured this policy.
    /// </summary>
    public static async Task<Entry> FitAsync(IQuerySession session, Project project, Guid fitId, DateTimeOffset fittedAt, CancellationToken ct)
    {
        var answers = await session.Events.QueryRawEventDataOnly<AnswerSubmitted>()
            .Where(a => a.ProjectId == project.Id)
            .ToListAsync(ct);
        var gold = (await session.Query<Item>()
                .Where(i => i.ProjectId == project.Id && i.GoldChoice != null)
                .Select(i => new GoldRow(i.Id, i.GoldChoice!))
                .ToListAsync(ct))
            .ToDictionary(g => g.Id.ToString(), g => g.Choice);
        var crowd = answers
            .OrderBy(a => a.SubmittedAt)
            .Select(a => new CrowdAnswer(a.ItemId.ToString(), a.ContributorId, a.Choice, a.Channel))
            .ToList();
        var checkedAnswers = CheckedAnswers.Select(crowd, CheckedAnswers.DefaultMinAnswers, gold);
        var rest = checkedAnswers.Count == crowd.Count ? [] : crowd.Except(checkedAnswers).ToList();
        return new Entry(ConsensusModel.Fit(checkedAnswers, OptionsFor(project), gold), fitId, fittedAt, crowd.Count, rest);
    }

    private sealed record GoldRow(Guid Id, string Choice);
}
