using CoConstruisons.Domain.Consensus;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// A generated crowd with known truth, for smoke runs and tests: skewed classes, contributors of
/// varied skill (a few spammers answering at random), each item answered by a few of them.
/// </summary>
public static class SyntheticCrowd
{
    public static (IReadOnlyList<CrowdAnswer> Answers, IReadOnlyDictionary<string, string> Truth) Generate(
        int seed, int items, int workers, int classes, int answersPerItem)
    {
        var random = new Random(seed);
        var accuracy = new double[workers];
        for (var w = 0; w < workers; w++)
        {
            accuracy[w] = w % 10 == 0 ? 1.0 / classes : 0.55 + (0.4 * random.NextDouble());
        }

        var answers = new List<CrowdAnswer>(items * answersPerItem);
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < items; i++)
        {
            var label = random.NextDouble() < 0.5 ? 0 : random.Next(classes);
            truth[$"item{i}"] = $"c{label}";
            var chosen = new HashSet<int>();
            while (chosen.Count < Math.Min(answersPerItem, workers))
            {
                chosen.Add(random.Next(workers));
            }

            foreach (var w in chosen.Order())
            {
                var answer = random.NextDouble() < accuracy[w] ? label : (label + 1 + random.Next(classes - 1)) % classes;
                answers.Add(new CrowdAnswer($"item{i}", $"w{w}", $"c{answer}"));
            }
        }

        return (answers, truth);
    }
}
