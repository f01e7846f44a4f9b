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

        var (definitions, errors) = ReadDefinitions(path);
        errors.AddRange(ExperimentValidator.ProblemsBetween(definitions).Select(p => p.In(Texts.IsEnglish)));
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

    /// <summary>
    /// The definitions of a file that are valid taken alone, and every problem of the file (its
    /// shape, each value of the wrong JSON type, each definition's own problems) in the reader's
    /// language. A file that cannot be read as such (not JSON, no "experiments" array) throws
    /// <see cref="CliException"/>.
    /// </summary>
    internal static (List<ExperimentDefinition> Definitions, List<string> Errors) ReadDefinitions(string path)
    {
        var errors = new List<string>();
        var definitions = new List<ExperimentDefinition>();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("experiments", out var experiments)
                || experiments.ValueKind != JsonValueKind.Array)
            {
                throw new CliException(NoExperimentsArray(path));
            }

            var index = 0;
            foreach (var element in experiments.EnumerateArray())
            {
                index++;
                if (Parse(element, $"experiments[{index}]", errors) is { } definition)
                {
                    definitions.Add(definition);
                }
            }
        }
        catch (JsonException ex)
        {
            throw new CliException(InvalidJson(path, ex.Message));
        }

        return (definitions, errors);
    }

    private static readonly string[] ExperimentFields = ["name", "lever", "seed", "status", "variants", "targeting", "allow_overlap"];
    private static readonly string[] VariantFields = ["name", "percent"];
    private static readonly string[] TargetingFields = ["projects", "channels", "audience"];

    /// <summary>
    /// One definition from JSON, or null when it has a problem: every problem (a value of the wrong
    /// type, an unknown field, a missing one, and the definition's own problems: name, seed,
    /// allocations…) is added to <paramref name="errors"/> in the reader's language, with the place.
    /// </summary>
    public static ExperimentDefinition? Parse(JsonElement element, string where, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Texts.T(
                $"{where} : un objet est attendu, pas {Kind(element)}.",
                $"{where}: expected an object, not {Kind(element)}."));
            return null;
        }

        var before = errors.Count;
        var bad = new HashSet<string>(StringComparer.Ordinal);
        var name = "";
        if (element.TryGetProperty("name", out var nameElement))
        {
            if (nameElement.ValueKind == JsonValueKind.String)
            {
                name = nameElement.GetString() ?? "";
            }
            else
            {
                bad.Add("name");
                errors.Add(WrongType(where, "name", Texts.T("un texte", "a string"), nameElement));
            }
        }

        where = name.Trim().Length > 0 ? $"{where} ({name})" : where;
        Unknown(element, where, "", ExperimentFields, errors);

        ExperimentLever? lever = null;
        if (!element.TryGetProperty("lever", out var leverElement))
        {
            bad.Add("lever");
            errors.Add(Texts.T(
                $"{where} : « lever » est obligatoire (tone, frequency ou question_mode).",
                $"{where}: \"lever\" is required (tone, frequency or question_mode)."));
        }
        else
        {
            lever = Word(leverElement, where, "lever", bad, errors) switch
            {
                null => null,
                var word => ExperimentWords.Lever(word) ?? Fail<ExperimentLever?>(bad, "lever", errors, Texts.T(
                    $"{where} : « lever » doit valoir tone, frequency ou question_mode, pas « {word} ».",
                    $"{where}: \"lever\" must be tone, frequency or question_mode, not '{word}'.")),
            };
        }

        var seed = element.TryGetProperty("seed", out var seedElement) ? Word(seedElement, where, "seed", bad, errors) ?? "" : "";
        var status = !element.TryGetProperty("status", out var statusElement) ? ExperimentStatus.Draft
            : Word(statusElement, where, "status", bad, errors) switch
            {
                null => null,
                "draft" => ExperimentStatus.Draft,
                "running" => ExperimentStatus.Running,
                "stopped" => ExperimentStatus.Stopped,
                var other => Fail<ExperimentStatus?>(bad, "status", errors, Texts.T(
                    $"{where} : « status » doit valoir draft, running ou stopped, pas « {other} ».",
                    $"{where}: \"status\" must be draft, running or stopped, not '{other}'.")),
            };

        var variants = Variants(element, where, bad, errors);
        var targeting = Targeting(element, where, bad, errors);
        var allowOverlap = false;
        if (element.TryGetProperty("allow_overlap", out var overlap))
        {
            if (overlap.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                allowOverlap = overlap.GetBoolean();
            }
            else
            {
                bad.Add("allow_overlap");
                errors.Add(WrongType(where, "allow_overlap", Texts.T("true ou false", "true or false"), overlap));
            }
        }

        // The definition's own problems (name, seed, allocations…), except those about a field already
        // reported above; a lever or state that could not be read is replaced so that the rest is checked.
        var candidate = new ExperimentDefinition(name, lever ?? ExperimentLever.Tone, variants, seed, targeting, status ?? ExperimentStatus.Draft, allowOverlap);
        foreach (var problem in ExperimentValidator.Problems(candidate).Where(p => !bad.Contains(p.Field)))
        {
            var text = problem.In(Texts.IsEnglish);
            errors.Add(name.Trim().Length > 0 ? text : Texts.T($"{where} : {text}", $"{where}: {text}"));
        }

        return errors.Count == before ? candidate : null;
    }

    private static List<VariantAllocation> Variants(JsonElement element, string where, HashSet<string> bad, List<string> errors)
    {
        var variants = new List<VariantAllocation>();
        if (!element.TryGetProperty("variants", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            bad.Add("variants");
            errors.Add(list.ValueKind == JsonValueKind.Undefined
                ? Texts.T(
                    $"{where} : « variants » est obligatoire : un tableau de {{\"name\", \"percent\"}}.",
                    $"{where}: \"variants\" is required: an array of {{\"name\", \"percent\"}}.")
                : WrongType(where, "variants", Texts.T("un tableau de {\"name\", \"percent\"}", "an array of {\"name\", \"percent\"}"), list));
            return variants;
        }

        var i = 0;
        foreach (var v in list.EnumerateArray())
        {
            var field = $"variants[{++i}]";
            if (v.ValueKind != JsonValueKind.Object)
            {
                bad.Add("variants");
                errors.Add(WrongType(where, field, Texts.T("un objet {\"name\", \"percent\"}", "an object {\"name\", \"percent\"}"), v));
                continue;
            }

            Unknown(v, where, field + ".", VariantFields, errors);
            var name = "";
            if (!v.TryGetProperty("name", out var nameElement))
            {
                bad.Add("variants");
                errors.Add(Texts.T($"{where} : « {field}.name » est obligatoire.", $"{where}: \"{field}.name\" is required."));
            }
            else
            {
                name = Word(nameElement, where, field + ".name", bad, errors, "variants") ?? "";
            }

            if (!v.TryGetProperty("percent", out var percent))
            {
                bad.Add("variants");
                errors.Add(Texts.T($"{where} : « {field}.percent » est obligatoire.", $"{where}: \"{field}.percent\" is required."));
            }
            else if (percent.ValueKind != JsonValueKind.Number)
            {
                bad.Add("variants");
                errors.Add(WrongType(where, field + ".percent", Texts.T("un nombre", "a number"), percent));
            }
            else if (!percent.TryGetDecimal(out var value))
            {
                bad.Add("variants");
                errors.Add(Texts.T(
                    $"{where} : « {field}.percent » vaut {percent.GetRawText()}, hors de toute allocation possible (de 0 à 100).",
                    $"{where}: \"{field}.percent\" is {percent.GetRawText()}, outside any possible allocation (0 to 100)."));
            }
            else
            {
                variants.Add(new VariantAllocation(name, value));
            }
        }

        return variants;
    }

    private static ExperimentTargeting Targeting(JsonElement element, string where, HashSet<string> bad, List<string> errors)
    {
        if (!element.TryGetProperty("targeting", out var t))
        {
            return ExperimentTargeting.Everyone;
        }

        if (t.ValueKind != JsonValueKind.Object)
        {
            bad.UnionWith(["projects", "channels", "audience"]);
            errors.Add(WrongType(where, "targeting", Texts.T("un objet {\"projects\", \"channels\", \"audience\"}", "an object {\"projects\", \"channels\", \"audience\"}"), t));
            return ExperimentTargeting.Everyone;
        }

        Unknown(t, where, "targeting.", TargetingFields, errors);
        var audience = !t.TryGetProperty("audience", out var audienceElement) ? ExperimentAudience.All
            : Word(audienceElement, where, "targeting.audience", bad, errors, "audience") switch
            {
                null => ExperimentAudience.All,
                var word => ExperimentWords.Audience(word) ?? Fail(bad, "audience", errors, Texts.T(
                    $"{where} : « targeting.audience » doit valoir all, new ou returning, pas « {word} ».",
                    $"{where}: \"targeting.audience\" must be all, new or returning, not '{word}'."), ExperimentAudience.All),
            };
        return new ExperimentTargeting(Strings(t, "projects", where, bad, errors), Strings(t, "channels", where, bad, errors), audience);
    }

    /// <summary>A list of strings; anything else (a string alone, a number in the list…) is refused: an empty list would mean "no restriction".</summary>
    private static List<string> Strings(JsonElement targeting, string property, string where, HashSet<string> bad, List<string> errors)
    {
        if (!targeting.TryGetProperty(property, out var value))
        {
            return [];
        }

        var field = "targeting." + property;
        if (value.ValueKind != JsonValueKind.Array)
        {
            bad.Add(property);
            errors.Add(WrongType(where, field, Texts.T("un tableau de textes (par exemple [\"a\", \"b\"])", "an array of strings (e.g. [\"a\", \"b\"])"), value));
            return [];
        }

        var result = new List<string>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            i++;
            if (item.ValueKind == JsonValueKind.String)
            {
                result.Add(item.GetString() ?? "");
            }
            else
            {
                bad.Add(property);
                errors.Add(WrongType(where, $"{field}[{i}]", Texts.T("un texte", "a string"), item));
            }
        }

        return result;
    }

    /// <summary>A string value, or null (and a problem) for any other JSON type.</summary>
    private static string? Word(JsonElement value, string where, string field, HashSet<string> bad, List<string> errors, string? problemField = null)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() ?? "";
        }

        bad.Add(problemField ?? field);
        errors.Add(WrongType(where, field, Texts.T("un texte", "a string"), value));
        return null;
    }

    /// <summary>Fields this format does not have: most likely a typo (e.g. "project" for "projects"), which would otherwise be ignored.</summary>
    private static void Unknown(JsonElement element, string where, string prefix, string[] known, List<string> errors)
    {
        foreach (var property in element.EnumerateObject().Where(p => !known.Contains(p.Name, StringComparer.Ordinal)))
        {
            errors.Add(Texts.T(
                $"{where} : champ inconnu « {prefix}{property.Name} » (champs possibles : {string.Join(", ", known)}).",
                $"{where}: unknown field \"{prefix}{property.Name}\" (possible fields: {string.Join(", ", known)})."));
        }
    }

    private static string WrongType(string where, string field, string expected, JsonElement actual) => Texts.T(
        $"{where} : « {field} » doit être {expected}, pas {Kind(actual)}.",
        $"{where}: \"{field}\" must be {expected}, not {Kind(actual)}.");

    /// <summary>What a JSON value is, in words, with the value itself (shortened).</summary>
    private static string Kind(JsonElement value)
    {
        var raw = value.GetRawText();
        raw = raw.Length > 40 ? raw[..37] + "…" : raw;
        return value.ValueKind switch
        {
            JsonValueKind.Object => Texts.T($"un objet ({raw})", $"an object ({raw})"),
            JsonValueKind.Array => Texts.T($"un tableau ({raw})", $"an array ({raw})"),
            JsonValueKind.String => Texts.T($"un texte ({raw})", $"a string ({raw})"),
            JsonValueKind.Number => Texts.T($"un nombre ({raw})", $"a number ({raw})"),
            JsonValueKind.True or JsonValueKind.False => Texts.T($"un booléen ({raw})", $"a boolean ({raw})"),
            _ => "null",
        };
    }

    /// <summary>The file checks shared with `experiments define`.</summary>
    internal static string FileNotFound(string path) => Texts.T($"Fichier introuvable : {path}", $"File not found: {path}");

    internal static string NoExperimentsArray(string path) => Texts.T(
        $"{path} : un objet avec un tableau « experiments » est attendu.",
        $"{path}: expected an object with an \"experiments\" array.");

    internal static string InvalidJson(string path, string reason) => Texts.T($"{path} n'est pas du JSON valide : {reason}", $"{path} is not valid JSON: {reason}");

    private static T Fail<T>(HashSet<string> bad, string field, List<string> errors, string message, T fallback = default!)
    {
        bad.Add(field);
        errors.Add(message);
        return fallback;
    }
}
