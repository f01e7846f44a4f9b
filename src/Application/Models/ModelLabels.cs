using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Models;

/// <summary>The labels a model may learn from, and how many per class.</summary>
public sealed record ModelLabelSet(IReadOnlyList<TrainingExample> Examples, IReadOnlyDictionary<string, int> PerClass, int Gold)
{
    public int Count => Examples.Count;
}

/// <summary>
/// A project's confident labels only: gold items (the owner's answer), and retired items whose
/// contributor-aware consensus reached the project's confidence target. Items retired at their
/// answer cap below the target, open items and machine labels are never learnt from. An item whose
/// belief holds a model prior counts only when its answers alone reach the target (no feedback loop).
/// </summary>
public static class ModelLabels
{
    public static async Task<ModelLabelSet> LoadAsync(IQuerySession session, Project project, CancellationToken ct)
    {
        var target = project.Settings.ConfidenceTarget;
        var choices = project.Settings.Choices.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        // A belief that holds a model prior is judged on its human evidence alone (log-scores minus
        // the prior): a label the previous model made confident is never taught to the next one.
        var rows = await session.Query<ItemProgress>()
            .Where(p => p.ProjectId == project.Id && p.Retired && !p.IsGold && p.MachineLabel == null && p.Label != null
                && (p.Confidence >= target || p.PriorLogScores != null))
            .Select(p => new ConfidentRow(p.Id, p.Label!, p.Confidence, p.LogScores, p.PriorLogScores, p.Votes))
            .ToListAsync(ct);
        var keys = project.Settings.Choices.Select(c => c.Key).ToList();
        var confident = rows.Select(r => CrowdOnly(r, keys)).Where(r => r.Confidence >= target).ToList();
        var items = (await session.Query<Item>()
                .Where(i => i.ProjectId == project.Id)
                .Select(i => new ItemRow(i.Id, i.ContentHash, i.GoldChoice))
                .ToListAsync(ct))
            .ToDictionary(i => i.Id);
        var examples = new List<TrainingExample>();
        var gold = 0;
        foreach (var item in items.Values.Where(i => i.GoldChoice is not null && choices.Contains(i.GoldChoice)))
        {
            examples.Add(new TrainingExample(item.Id, item.ContentHash, item.GoldChoice!));
            gold++;
        }

        foreach (var row in confident)
        {
            if (items.TryGetValue(row.Id, out var item) && item.GoldChoice is null && choices.Contains(row.Label))
            {
                examples.Add(new TrainingExample(row.Id, item.ContentHash, row.Label, row.Votes));
            }
        }

        examples.Sort((a, b) => a.ItemId.CompareTo(b.ItemId));
        var perClass = examples.GroupBy(e => e.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ModelLabelSet(examples, perClass, gold);
    }

    /// <summary>Refuses (FAILED_PRECONDITION, with the counts) when there are too few confident labels to train and measure a model.</summary>
    public static void EnsureEnough(ModelLabelSet labels, ModelOptions options)
    {
        var classes = labels.PerClass.Count(c => c.Value >= options.MinPerClass);
        if (labels.Count >= options.MinLabels && classes >= 2)
        {
            return;
        }

        var counts = labels.PerClass.Count == 0 ? "-" : string.Join(", ", labels.PerClass.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
        throw new RuleViolationException(Texts.T(
            $"Trop peu d'étiquettes confiantes pour entraîner un modèle : {labels.Count} (dont {labels.Gold} de référence ; par classe : {counts}). Il en faut au moins {options.MinLabels}, dont {options.MinPerClass} dans au moins deux classes.",
            $"Too few confident labels to train a model: {labels.Count} ({labels.Gold} gold; per class: {counts}). At least {options.MinLabels} are needed, with {options.MinPerClass} in at least two classes."));
    }

    private sealed record ConfidentRow(Guid Id, string Label, double Confidence, double[]? LogScores, double[]? PriorLogScores, Dictionary<string, int>? Votes);

    /// <summary>The row's label and confidence from its answers alone (unchanged when its belief holds no model prior).</summary>
    private static ConfidentRow CrowdOnly(ConfidentRow row, IReadOnlyList<string> choices)
    {
        if (row.PriorLogScores is null || row.LogScores is not { } scores || scores.Length != choices.Count)
        {
            return row;
        }

        var evidence = new Domain.Consensus.ItemBelief(Domain.Models.ModelPrior.Rebase(scores, row.PriorLogScores, null));
        var (best, confidence) = evidence.Best();
        return row with { Label = choices[best], Confidence = confidence };
    }

    private sealed record ItemRow(Guid Id, string ContentHash, string? GoldChoice);
}
