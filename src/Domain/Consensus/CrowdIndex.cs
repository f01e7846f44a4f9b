namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// The answers turned into integer-indexed arrays (items, contributors and labels sorted ordinally,
/// evidence sorted by item then contributor) so the fit is fast and does not depend on the order
/// answers arrived in. "Don't know" answers are dropped here: they are not evidence.
/// </summary>
internal sealed class CrowdIndex
{
    public required string[] Labels { get; init; }
    public required string[] Items { get; init; }
    public required string[] Workers { get; init; }
    public required SkillPrior[] WorkerPriors { get; init; }

    /// <summary>Evidence answers, sorted by item: the answers of item i are [ItemStart[i], ItemStart[i+1]).</summary>
    public required int[] ItemStart { get; init; }
    public required int[] AnswerWorker { get; init; }
    public required int[] AnswerLabel { get; init; }

    /// <summary>The known label of each item, or -1.</summary>
    public required int[] Gold { get; init; }
    public required int[] WorkerAnswerCount { get; init; }

    public int Classes => Labels.Length;

    public static CrowdIndex Build(
        IReadOnlyList<CrowdAnswer> answers,
        ConsensusOptions options,
        IReadOnlyDictionary<string, string>? gold)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(options);
        var labels = LabelsOf(answers, options, gold);
        var labelIndex = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (var l = 0; l < labels.Length; l++)
        {
            labelIndex[labels[l]] = l;
        }

        // Provisional ids by first appearance, then ranks in ordinal order.
        var itemIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var workerIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var workerChannel = new List<string?>();
        var raw = new List<(int Item, int Worker, int Label, int Order)>(answers.Count);
        for (var a = 0; a < answers.Count; a++)
        {
            var answer = answers[a] ?? throw new ArgumentException($"Answer {a} is null.", nameof(answers));
            var item = IdOf(itemIds, answer.Item);
            if (answer.Label == options.DontKnowLabel)
            {
                continue;
            }

            if (!labelIndex.TryGetValue(answer.Label, out var label))
            {
                throw new ArgumentException(
                    $"Answer {a} (item '{answer.Item}', contributor '{answer.Worker}') has label '{answer.Label}', " +
                    $"which is not one of the choices: {string.Join(", ", labels)}.", nameof(answers));
            }

            var worker = IdOf(workerIds, answer.Worker);
            if (worker == workerChannel.Count)
            {
                workerChannel.Add(answer.Channel);
            }
            else if (answer.Channel is not null &&
                     (workerChannel[worker] is null || string.CompareOrdinal(answer.Channel, workerChannel[worker]) < 0))
            {
                workerChannel[worker] = answer.Channel;
            }

            raw.Add((item, worker, label, a));
        }

        if (gold is not null)
        {
            foreach (var (item, label) in gold)
            {
                if (!labelIndex.ContainsKey(label))
                {
                    throw new ArgumentException($"Gold item '{item}' has label '{label}', which is not one of the choices.", nameof(gold));
                }

                IdOf(itemIds, item);
            }
        }

        var (items, itemRank) = Ranked(itemIds);
        var (workers, workerRank) = Ranked(workerIds);
        for (var r = 0; r < raw.Count; r++)
        {
            var x = raw[r];
            raw[r] = (itemRank[x.Item], workerRank[x.Worker], x.Label, x.Order);
        }

        raw.Sort(options.Repeats == RepeatPolicy.KeepLast
            ? static (x, y) => x.Item != y.Item ? x.Item.CompareTo(y.Item) : x.Worker != y.Worker ? x.Worker.CompareTo(y.Worker) : x.Order.CompareTo(y.Order)
            : static (x, y) => x.Item != y.Item ? x.Item.CompareTo(y.Item) : x.Worker != y.Worker ? x.Worker.CompareTo(y.Worker) : x.Label.CompareTo(y.Label));

        var itemStart = new int[items.Length + 1];
        var answerWorker = new List<int>(raw.Count);
        var answerLabel = new List<int>(raw.Count);
        var workerCount = new int[workers.Length];
        for (var r = 0; r < raw.Count; r++)
        {
            var x = raw[r];
            if (options.Repeats == RepeatPolicy.KeepLast && r + 1 < raw.Count && raw[r + 1].Item == x.Item && raw[r + 1].Worker == x.Worker)
            {
                continue; // a later answer by the same contributor on the same item replaces this one
            }

            itemStart[x.Item + 1]++;
            answerWorker.Add(x.Worker);
            answerLabel.Add(x.Label);
            workerCount[x.Worker]++;
        }

        for (var i = 0; i < items.Length; i++)
        {
            itemStart[i + 1] += itemStart[i];
        }

        var goldOf = new int[items.Length];
        Array.Fill(goldOf, -1);
        if (gold is not null)
        {
            foreach (var (item, label) in gold)
            {
                goldOf[itemRank[itemIds[item]]] = labelIndex[label];
            }
        }

        var priors = new SkillPrior[workers.Length];
        foreach (var (_, id) in workerIds)
        {
            priors[workerRank[id]] = options.PriorFor(workerChannel[id]);
            priors[workerRank[id]].Validate(labels.Length);
        }

        options.WorkerPrior.Validate(labels.Length);
        return new CrowdIndex
        {
            Labels = labels,
            Items = items,
            Workers = workers,
            WorkerPriors = priors,
            ItemStart = itemStart,
            AnswerWorker = [.. answerWorker],
            AnswerLabel = [.. answerLabel],
            Gold = goldOf,
            WorkerAnswerCount = workerCount,
        };
    }

    private static string[] LabelsOf(IReadOnlyList<CrowdAnswer> answers, ConsensusOptions options, IReadOnlyDictionary<string, string>? gold)
    {
        if (options.Labels is not null)
        {
            var declared = options.Labels.ToArray();
            if (declared.Distinct(StringComparer.Ordinal).Count() != declared.Length)
            {
                throw new ArgumentException("The declared choices contain a duplicate.", nameof(options));
            }

            return declared;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            if (answer is not null && answer.Label != options.DontKnowLabel)
            {
                seen.Add(answer.Label);
            }
        }

        if (gold is not null)
        {
            seen.UnionWith(gold.Values);
        }

        if (seen.Count < 2)
        {
            throw new ArgumentException(
                $"The answers use {seen.Count} distinct label(s); a consensus needs at least two choices: declare them in the options.", nameof(answers));
        }

        var labels = seen.ToArray();
        Array.Sort(labels, StringComparer.Ordinal);
        return labels;
    }

    private static int IdOf(Dictionary<string, int> ids, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!ids.TryGetValue(key, out var id))
        {
            id = ids.Count;
            ids[key] = id;
        }

        return id;
    }

    private static (string[] Keys, int[] Rank) Ranked(Dictionary<string, int> ids)
    {
        var keys = new string[ids.Count];
        foreach (var (key, id) in ids)
        {
            keys[id] = key;
        }

        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys.ToArray(), order, StringComparer.Ordinal);
        var rank = new int[keys.Length];
        var sorted = new string[keys.Length];
        for (var r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r;
            sorted[r] = keys[order[r]];
        }

        return (sorted, rank);
    }
}
