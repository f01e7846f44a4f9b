using System.Globalization;
using System.Text;
using CoConstruisons.Cli.Csv;
using CoConstruisons.Domain.Consensus;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>`coconstruisons consensus`: one label per item from an answers file.</summary>
public sealed class ConsensusCommand : ICliCommand
{
    public string Name => "consensus";

    public string Usage =>
        "consensus ANSWERS.csv [--method NAME] [--labels a,b,c] [--gold GOLD.csv] [--truth TRUTH.csv] " +
        "[--repeats error|keep-last|keep-all] [--out OUT.csv]";

    public string Summary => Texts.T(
        "Déduit une étiquette par élément des réponses des contributeurs (en-tête CSV item,worker,label[,channel]) et écrit " +
        "item,label,confidence. Méthodes : " + string.Join(", ", ConsensusMethods.All) + $" (par défaut {ConsensusMethods.Default}). " +
        "--gold ancre l'ajustement sur des étiquettes connues ; --truth mesure seulement l'exactitude. Les réponses « dont_know » ne comptent pas comme indices.",
        "Infers one label per item from contributors' answers (CSV header item,worker,label[,channel]) and writes " +
        "item,label,confidence. Methods: " + string.Join(", ", ConsensusMethods.All) + $" (default {ConsensusMethods.Default}). " +
        "--gold anchors the fit with known labels; --truth only measures accuracy. 'dont_know' answers are not evidence.");

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var method = args.Option("method") ?? ConsensusMethods.Default;
        var labels = ParseLabels(args.Option("labels"));
        var goldPath = args.Option("gold");
        var truthPath = args.Option("truth");
        var outPath = args.Option("out");
        var repeats = CrowdFiles.ParseRepeats(args.Option("repeats"));
        args.EnsureAllRead();
        if (args.Positionals.Count != 1)
        {
            throw new UsageException(Texts.T("Donnez exactement un fichier de réponses.", "Give exactly one answers file."));
        }

        if (!ConsensusMethods.IsKnown(method))
        {
            throw new UsageException(UnknownMethod(method));
        }

        if (outPath is not null &&
            new[] { args.Positionals[0], goldPath, truthPath }.FirstOrDefault(input => input is not null && SameFile(input, outPath)) is { } overwritten)
        {
            throw new UsageException(Texts.T(
                $"--out désigne le fichier d'entrée « {overwritten} », qui serait écrasé ; choisissez un autre fichier de sortie.",
                $"--out names the input file '{overwritten}', which would be overwritten; choose another output file."));
        }

        if (outPath is not null)
        {
            OutputPaths.ExistingFolderOf(outPath, OutputPaths.CannotWrite);
        }

        var options = new ConsensusOptions
        {
            Method = method,
            Labels = labels,
            Repeats = repeats == RepeatHandling.KeepAll ? RepeatPolicy.KeepAll : RepeatPolicy.KeepLast,
        };
        var file = CrowdFiles.ReadAnswers(args.Positionals[0], repeats, labels, options.DontKnowLabel);
        foreach (var warning in file.Warnings)
        {
            Console.Error.WriteLine(Texts.T("attention : ", "warning: ") + warning);
        }

        var gold = goldPath is null ? null : CrowdFiles.ReadLabels(goldPath, labels);
        var truth = truthPath is null ? null : CrowdFiles.ReadLabels(truthPath, labels);
        ConsensusFit fit;
        try
        {
            fit = ConsensusModel.Fit(file.Answers, options, gold);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }

        var csv = new StringBuilder("item,label,confidence\n");
        foreach (var posterior in fit.Items.Values.OrderBy(p => p.Item, StringComparer.Ordinal))
        {
            var label = posterior.Evidence > 0 || posterior.IsGold ? posterior.Label : string.Empty;
            var confidence = posterior.Evidence > 0 || posterior.IsGold ? posterior.Confidence : 0;
            csv.Append(CsvReader.Escape(posterior.Item)).Append(',').Append(CsvReader.Escape(label)).Append(',')
                .Append(confidence.ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
        }

        var report = outPath is null ? Console.Error : Console.Out;
        if (outPath is null)
        {
            Console.Out.Write(csv.ToString());
        }
        else
        {
            try
            {
                File.WriteAllText(outPath, csv.ToString(), new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
            {
                throw OutputPaths.CannotWrite(outPath, ex.Message);
            }
        }

        // With keep-last, a contributor's earlier answers on an item were dropped (the warning above said how many).
        var answersUsed = options.Repeats == RepeatPolicy.KeepAll
            ? file.Answers.Count
            : file.Answers.Select(a => (a.Item, a.Worker)).Distinct().Count();
        report.WriteLine(Texts.T(
            string.Create(CultureInfo.InvariantCulture, $"{fit.Method} : {fit.Items.Count} éléments, {fit.Workers.Count} contributeurs, {answersUsed} réponses, {fit.Iterations} itérations"),
            string.Create(CultureInfo.InvariantCulture, $"{fit.Method}: {fit.Items.Count} items, {fit.Workers.Count} contributors, {answersUsed} answers, {fit.Iterations} iterations")));
        if (truth is not null)
        {
            var (correct, scored) = Score(fit, truth);
            report.WriteLine(scored == 0
                ? Texts.T("exactitude : aucun élément n'a à la fois des réponses et une étiquette de vérité", "accuracy: no item has both answers and a truth label")
                : Texts.T(
                    string.Create(CultureInfo.InvariantCulture, $"exactitude : {(double)correct / scored:0.0000} ({correct}/{scored} éléments qui ont à la fois des réponses et une étiquette de vérité)"),
                    string.Create(CultureInfo.InvariantCulture, $"accuracy: {(double)correct / scored:0.0000} ({correct}/{scored} items that have both answers and a truth label)")));
        }

        return Task.FromResult(0);
    }

    /// <summary>Whether two paths name the same file (the same full path, or the same existing file reached another way).</summary>
    private static bool SameFile(string a, string b)
    {
        if (string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal))
        {
            return true;
        }

        var first = new FileInfo(a);
        var second = new FileInfo(b);
        return first.Exists && second.Exists &&
               string.Equals(first.ResolveLinkTarget(true)?.FullName ?? first.FullName, second.ResolveLinkTarget(true)?.FullName ?? second.FullName, StringComparison.Ordinal);
    }

    /// <summary>Correct and scored counts over items with at least one answer that is evidence and a truth label.</summary>
    public static (int Correct, int Scored) Score(ConsensusFit fit, IReadOnlyDictionary<string, string> truth)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(truth);
        int correct = 0, scored = 0;
        foreach (var (item, label) in truth)
        {
            if (fit.Items.TryGetValue(item, out var p) && p.Evidence > 0)
            {
                scored++;
                correct += p.Label == label ? 1 : 0;
            }
        }

        return (correct, scored);
    }

    public static IReadOnlyList<string>? ParseLabels(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var labels = value.Split(',', StringSplitOptions.TrimEntries);
        if (labels.Length < 2 || labels.Any(l => l.Length == 0))
        {
            throw new UsageException(Texts.T(
                $"--labels demande au moins deux choix non vides séparés par des virgules, pas « {value} ».",
                $"--labels needs at least two non-empty choices separated by commas, not '{value}'."));
        }

        var duplicate = labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is not null
            ? throw new UsageException(Texts.T($"--labels cite « {duplicate.Key} » deux fois.", $"--labels lists '{duplicate.Key}' twice."))
            : labels;
    }

    /// <summary>The message for a --method that is not one of <see cref="ConsensusMethods.All"/> (consensus and bench consensus).</summary>
    internal static string UnknownMethod(string method) => Texts.T(
        $"Méthode inconnue « {method} » ; méthodes connues : {string.Join(", ", ConsensusMethods.All)}.",
        $"Unknown method '{method}'; known: {string.Join(", ", ConsensusMethods.All)}.");
}
