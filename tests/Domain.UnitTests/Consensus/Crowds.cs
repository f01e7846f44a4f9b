using CoConstruisons.Domain.Consensus;

namespace CoConstruisons.Domain.UnitTests.Consensus;

/// <summary>Small generated crowds with known truth.</summary>
internal static class Crowds
{
    public sealed record Crowd(List<CrowdAnswer> Answers, Dictionary<string, string> Truth, double[] Accuracy);

    /// <summary>
    /// Items with skewed classes; contributors of accuracy in [0.55, 0.95] (every
    /// <paramref name="spammerEvery"/>-th answers uniformly at random); each item answered by
    /// <paramref name="perItem"/> distinct contributors.
    /// </summary>
    public static Crowd Generate(int seed, int items = 300, int workers = 30, int classes = 3, int perItem = 5, int spammerEvery = 6)
    {
        var random = new Random(seed);
        var accuracy = new double[workers];
        for (var w = 0; w < workers; w++)
        {
            accuracy[w] = spammerEvery > 0 && w % spammerEvery == 0 ? 1.0 / classes : 0.55 + (0.4 * random.NextDouble());
        }

        var answers = new List<CrowdAnswer>();
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < items; i++)
        {
            var label = random.NextDouble() < 0.4 ? 0 : random.Next(classes);
            truth[$"i{i}"] = $"c{label}";
            foreach (var w in Enumerable.Range(0, workers).OrderBy(_ => random.Next()).Take(perItem).Order())
            {
                answers.Add(new CrowdAnswer($"i{i}", $"w{w}", $"c{Answer(random, accuracy[w], label, classes)}"));
            }
        }

        return new Crowd(answers, truth, accuracy);
    }

    public static int Answer(Random random, double accuracy, int label, int classes) =>
        random.NextDouble() < accuracy ? label : (label + 1 + random.Next(classes - 1)) % classes;

    public static double Accuracy(ConsensusFit fit, IReadOnlyDictionary<string, string> truth) =>
        truth.Count(t => fit.Items.TryGetValue(t.Key, out var p) && p.Label == t.Value) / (double)truth.Count;
}
