using CoConstruisons.Domain.Consensus;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Csv;

/// <summary>What to do when a contributor answered the same item more than once in an answers file.</summary>
public enum RepeatHandling
{
    /// <summary>Refuse the file, naming both lines (the default of `coconstruisons consensus`).</summary>
    Error,

    /// <summary>Keep the later answer (a change of mind) and warn.</summary>
    KeepLast,

    /// <summary>Count every answer and warn.</summary>
    KeepAll,
}

/// <summary>Answers read from a file, with the warnings worth showing the user.</summary>
public sealed record AnswersFile(IReadOnlyList<CrowdAnswer> Answers, int Repeats, IReadOnlyList<string> Warnings);

/// <summary>Reads the crowd files the CLI works on: answers (`item,worker,label[,channel]`) and labels (`item,label`).</summary>
public static class CrowdFiles
{
    public static RepeatHandling ParseRepeats(string? value) => value switch
    {
        null or "error" => RepeatHandling.Error,
        "keep-last" => RepeatHandling.KeepLast,
        "keep-all" => RepeatHandling.KeepAll,
        _ => throw new UsageException(Texts.T($"--repeats doit valoir error, keep-last ou keep-all, pas « {value} ».", $"--repeats must be error, keep-last or keep-all, not '{value}'.")),
    };

    /// <summary>
    /// Reads answers. Empty item/worker/label fields, labels outside <paramref name="allowed"/> (when
    /// given; "don't know" is always allowed) and — with <see cref="RepeatHandling.Error"/> — a
    /// second answer by a contributor on the same item are errors naming the line.
    /// </summary>
    public static AnswersFile ReadAnswers(string path, RepeatHandling repeats, IReadOnlyCollection<string>? allowed, string dontKnow)
    {
        var table = CsvReader.ReadFile(path);
        var item = table.RequiredColumn("item");
        var worker = table.RequiredColumn("worker");
        var label = table.RequiredColumn("label");
        var channel = table.ColumnOf("channel");
        if (table.Rows.Count == 0)
        {
            throw new CliException(Texts.T(
                $"{path} : aucune réponse (le fichier a une ligne d'en-tête mais aucun enregistrement).",
                $"{path}: no answers (the file has a header but no record)."));
        }

        var allowedSet = allowed is null ? null : new HashSet<string>(allowed, StringComparer.Ordinal);
        var firstLine = new Dictionary<(string, string), int>();
        var answers = new List<CrowdAnswer>(table.Rows.Count);
        var repeated = 0;
        foreach (var row in table.Rows)
        {
            var f = row.Fields;
            var answer = new CrowdAnswer(
                NotEmpty(path, row, f[item], "item"),
                NotEmpty(path, row, f[worker], "worker"),
                NotEmpty(path, row, f[label], "label"),
                channel >= 0 && f[channel].Length > 0 ? f[channel] : null);
            if (allowedSet is not null && answer.Label != dontKnow && !allowedSet.Contains(answer.Label))
            {
                throw new CliException(Texts.T(
                    $"{path} : ligne {row.Line} : l'étiquette « {answer.Label} » ne fait pas partie des choix déclarés ({string.Join(", ", allowed!)} ; « {dontKnow} » est aussi accepté).",
                    $"{path}: line {row.Line}: label '{answer.Label}' is not one of the declared choices ({string.Join(", ", allowed!)}; '{dontKnow}' is also accepted)."));
            }

            if (!firstLine.TryAdd((answer.Item, answer.Worker), row.Line))
            {
                repeated++;
                if (repeats == RepeatHandling.Error)
                {
                    throw new CliException(Texts.T(
                        $"{path} : ligne {row.Line} : le contributeur « {answer.Worker} » a déjà répondu pour l'élément « {answer.Item} » à la ligne {firstLine[(answer.Item, answer.Worker)]}. " +
                        "Supprimez la répétition, ou passez --repeats keep-last (garder la dernière réponse) ou --repeats keep-all.",
                        $"{path}: line {row.Line}: contributor '{answer.Worker}' already answered item '{answer.Item}' on line {firstLine[(answer.Item, answer.Worker)]}. " +
                        "Remove the repeat, or pass --repeats keep-last (keep the later answer) or --repeats keep-all."));
                }
            }

            answers.Add(answer);
        }

        var warnings = new List<string>();
        if (repeated > 0)
        {
            warnings.Add(repeats == RepeatHandling.KeepLast
                ? Texts.T(
                    $"{path} : {repeated} réponse(s) répétée(s) (item, worker) : seule la dernière réponse de chaque contributeur sur un élément est gardée.",
                    $"{path}: {repeated} repeated (item, worker) answer(s): only each contributor's last answer on an item is kept.")
                : Texts.T(
                    $"{path} : {repeated} réponse(s) répétée(s) (item, worker) : toutes les réponses sont comptées.",
                    $"{path}: {repeated} repeated (item, worker) answer(s): every answer is counted."));
        }

        return new AnswersFile(answers, repeated, warnings);
    }

    /// <summary>
    /// Per item, how many contributors gave each choice: each contributor's last answer on an item
    /// counts (answers in file order), <paramref name="dontKnow"/> answers do not.
    /// </summary>
    public static Dictionary<string, IReadOnlyDictionary<string, int>> CountLastAnswers(IEnumerable<(string Item, string Worker, string Choice)> answers, string dontKnow)
    {
        var last = new Dictionary<(string Item, string Worker), string>();
        foreach (var (item, worker, choice) in answers)
        {
            last[(item, worker)] = choice;
        }

        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var ((item, _), choice) in last)
        {
            if (choice == dontKnow)
            {
                continue;
            }

            if (!counts.TryGetValue(item, out var perChoice))
            {
                counts[item] = perChoice = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            perChoice[choice] = perChoice.GetValueOrDefault(choice) + 1;
        }

        return counts.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, int>)c.Value, StringComparer.Ordinal);
    }

    /// <summary>Reads `item,label` (truth or gold). The same item twice with different labels is an error naming the line.</summary>
    public static Dictionary<string, string> ReadLabels(string path, IReadOnlyCollection<string>? allowed)
    {
        var table = CsvReader.ReadFile(path);
        var item = table.RequiredColumn("item");
        var label = table.RequiredColumn("label");
        var allowedSet = allowed is null ? null : new HashSet<string>(allowed, StringComparer.Ordinal);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var key = NotEmpty(path, row, row.Fields[item], "item");
            var value = NotEmpty(path, row, row.Fields[label], "label");
            if (allowedSet is not null && !allowedSet.Contains(value))
            {
                throw new CliException(Texts.T(
                    $"{path} : ligne {row.Line} : l'étiquette « {value} » ne fait pas partie des choix déclarés ({string.Join(", ", allowed!)}).",
                    $"{path}: line {row.Line}: label '{value}' is not one of the declared choices ({string.Join(", ", allowed!)})."));
            }

            if (labels.TryGetValue(key, out var previous) && previous != value)
            {
                throw new CliException(Texts.T(
                    $"{path} : ligne {row.Line} : l'élément « {key} » est étiqueté « {value} » ici mais « {previous} » à la ligne {lines[key]}.",
                    $"{path}: line {row.Line}: item '{key}' is labelled '{value}' here but '{previous}' on line {lines[key]}."));
            }

            labels[key] = value;
            lines.TryAdd(key, row.Line);
        }

        return labels;
    }

    private static string NotEmpty(string path, CsvRow row, string value, string column) =>
        value.Length > 0 ? value : throw new CliException(Texts.T(
            $"{path} : ligne {row.Line} : le champ « {column} » est vide.",
            $"{path}: line {row.Line}: the '{column}' field is empty."));
}
