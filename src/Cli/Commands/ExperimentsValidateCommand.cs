using System.Text.Json;
using CoConstruisons.Domain.Experiments;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// Checks a file of experiment definitions (the researchers' format, see docs/experiments.md)
/// before it is loaded: every definition alone and the catalogue as a whole (overlap rule).
/// </summary>
public sealed class ExperimentsValidateCommand : ICliCommand
{
    public string Name => "experiments validate";

    public string Usage => "experiments validate FILE.json";

    public string Summary => Texts.T(
        "Valide des définitions d'expériences (allocations, variantes, chevauchements) et affiche chaque problème.",
        "Validates experiment definitions (allocations, variants, overlaps) and prints every problem.");

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.EnsureAllRead();
        if (args.Positionals.Count != 1)
        {
            throw new UsageException(Texts.T("Donnez exactement un fichier de définitions.", "Give exactly one definitions file."));
        }

        var path = args.Positionals[0];
        if (!File.Exists(path))
        {
            throw new CliException(FileNotFound(path));
        }

        var parseErrors = new List<string>();
        var definitions = new List<ExperimentDefinition>();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("experiments", out var experiments) || experiments.ValueKind != JsonValueKind.Array)
            {
                throw new CliException(NoExperimentsArray(path));
            }

            var index = 0;
            foreach (var element in experiments.EnumerateArray())
            {
                index++;
                var definition = Parse(element, $"experiments[{index}]", parseErrors);
                if (definition is not null)
                {
                    definitions.Add(definition);
                }
            }
        }
        catch (JsonException ex)
        {
            throw new CliException(InvalidJson(path, ex.Message));
        }

        var errors = parseErrors.Concat(ExperimentValidator.ValidateCatalog(definitions)).ToList();
        if (errors.Count == 0)
        {
            Console.WriteLine(Texts.T($"OK : {definitions.Count} expérience(s) valide(s) dans {path}.", $"OK: {definitions.Count} experiment(s) valid in {path}."));
            return Task.FromResult(0);
        }

        Console.Error.WriteLine(Texts.T($"{path} : {errors.Count} problème(s) :", $"{path}: {errors.Count} problem(s):"));
        foreach (var error in errors)
        {
            Console.Error.WriteLine("  - " + error);
        }

        return Task.FromResult(1);
    }

    /// <summary>One definition from JSON; shape problems are added to <paramref name="errors"/>.</summary>
    public static ExperimentDefinition? Parse(JsonElement element, string where, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Texts.T($"{where} : un objet est attendu.", $"{where}: expected an object."));
            return null;
        }

        var name = Text(element, "name") ?? "";
        var where2 = name.Length > 0 ? $"{where} ({name})" : where;
        var lever = Text(element, "lever") switch
        {
            "tone" => ExperimentLever.Tone,
            "frequency" => ExperimentLever.Frequency,
            "question_mode" => ExperimentLever.QuestionMode,
            var other => Fail<ExperimentLever?>(errors, Texts.T(
                $"{where2} : « lever » doit valoir tone, frequency ou question_mode, pas « {other} ».",
                $"{where2}: \"lever\" must be tone, frequency or question_mode, not '{other}'.")),
        };
        var status = (Text(element, "status") ?? "draft") switch
        {
            "draft" => ExperimentStatus.Draft,
            "running" => ExperimentStatus.Running,
            "stopped" => ExperimentStatus.Stopped,
            var other => Fail<ExperimentStatus?>(errors, Texts.T(
                $"{where2} : « status » doit valoir draft, running ou stopped, pas « {other} ».",
                $"{where2}: \"status\" must be draft, running or stopped, not '{other}'.")),
        };
        var variants = new List<VariantAllocation>();
        if (element.TryGetProperty("variants", out var variantsElement) && variantsElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in variantsElement.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("percent", out var percent) || !percent.TryGetDecimal(out var value))
                {
                    errors.Add(Texts.T(
                        $"{where2} : chaque variante demande un « name » et un « percent » numérique.",
                        $"{where2}: each variant needs a \"name\" and a numeric \"percent\"."));
                    continue;
                }

                variants.Add(new VariantAllocation(Text(v, "name") ?? "", value));
            }
        }
        else
        {
            errors.Add(Texts.T(
                $"{where2} : « variants » doit être un tableau de {{\"name\", \"percent\"}}.",
                $"{where2}: \"variants\" must be an array of {{\"name\", \"percent\"}}."));
        }

        var targeting = ExperimentTargeting.Everyone;
        if (element.TryGetProperty("targeting", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            var audience = (Text(t, "audience") ?? "all") switch
            {
                "all" => ExperimentAudience.All,
                "new" => ExperimentAudience.New,
                "returning" => ExperimentAudience.Returning,
                var other => Fail<ExperimentAudience?>(errors, Texts.T(
                    $"{where2} : « targeting.audience » doit valoir all, new ou returning, pas « {other} ».",
                    $"{where2}: \"targeting.audience\" must be all, new or returning, not '{other}'.")),
            };
            targeting = new ExperimentTargeting(Strings(t, "projects"), Strings(t, "channels"), audience ?? ExperimentAudience.All);
        }

        var allowOverlap = element.TryGetProperty("allow_overlap", out var overlap) && overlap.ValueKind == JsonValueKind.True;
        return lever is null || status is null ? null
            : new ExperimentDefinition(name, lever.Value, variants, Text(element, "seed") ?? "", targeting, status.Value, allowOverlap);
    }

    /// <summary>The file checks shared with `experiments define`.</summary>
    internal static string FileNotFound(string path) => Texts.T($"Fichier introuvable : {path}", $"File not found: {path}");

    internal static string NoExperimentsArray(string path) => Texts.T(
        $"{path} : un objet avec un tableau « experiments » est attendu.",
        $"{path}: expected an object with an \"experiments\" array.");

    internal static string InvalidJson(string path, string reason) => Texts.T($"{path} n'est pas du JSON valide : {reason}", $"{path} is not valid JSON: {reason}");

    private static T Fail<T>(List<string> errors, string message)
    {
        errors.Add(message);
        return default!;
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    private static List<string> Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.GetRawText()).ToList()
            : [];

}
