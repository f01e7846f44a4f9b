using System.Globalization;

namespace CoConstruisons.Domain.Experiments;

/// <summary>
/// Checks experiment definitions and returns every problem as a sentence in French and in English
/// (<see cref="ExperimentProblem"/>), so a researcher can fix them all at once. An empty list means
/// the definition is valid.
/// </summary>
public static class ExperimentValidator
{
    /// <summary>Problems of one definition taken alone, in French (see <see cref="Problems"/> for both languages).</summary>
    public static IReadOnlyList<string> Validate(ExperimentDefinition definition) => [.. Problems(definition).Select(p => p.Fr)];

    /// <summary>Problems of one definition taken alone.</summary>
    public static IReadOnlyList<ExperimentProblem> Problems(ExperimentDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<ExperimentProblem>();
        var name = definition.Name;
        var (fr, en) = string.IsNullOrWhiteSpace(name) ? ("Expérience sans nom", "Unnamed experiment") : ($"Expérience « {name} »", $"Experiment '{name}'");
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new("Le nom de l'expérience est obligatoire.", "The experiment's name is required.", "name"));
        }
        else if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            errors.Add(new(
                $"Le nom « {name} » ne doit contenir que des lettres, chiffres, « _ », « - » ou « . » (c'est aussi le nom du feature flag).",
                $"The name '{name}' may only contain letters, digits, '_', '-' or '.' (it is also the feature flag's name).",
                "name"));
        }

        if (!Enum.IsDefined(definition.Lever))
        {
            errors.Add(new(
                $"{fr} : levier inconnu ({definition.Lever}) ; attendu : tone, frequency ou question_mode.",
                $"{en}: unknown lever ({definition.Lever}); expected tone, frequency or question_mode.",
                "lever"));
        }

        if (!Enum.IsDefined(definition.Status))
        {
            errors.Add(new(
                $"{fr} : état inconnu ({definition.Status}) ; attendu : draft, running ou stopped.",
                $"{en}: unknown state ({definition.Status}); expected draft, running or stopped.",
                "status"));
        }

        if (string.IsNullOrWhiteSpace(definition.Seed))
        {
            errors.Add(new(
                $"{fr} : la graine (seed) est obligatoire ; elle fixe l'allocation de chaque contributeur.",
                $"{en}: the seed is required; it fixes each contributor's allocation.",
                "seed"));
        }

        var variants = definition.Variants ?? [];
        if (variants.Count < 2)
        {
            errors.Add(new(
                $"{fr} : il faut au moins 2 variantes (un témoin et une variante testée), il y en a {variants.Count}.",
                $"{en}: at least 2 variants are needed (a control and a tested variant), there are {variants.Count}.",
                "variants"));
        }

        for (var i = 0; i < variants.Count; i++)
        {
            var v = variants[i];
            if (v is null || string.IsNullOrWhiteSpace(v.Name))
            {
                errors.Add(new(
                    $"{fr} : la variante n° {i + 1} n'a pas de nom.",
                    $"{en}: variant no. {i + 1} has no name.",
                    "variants"));
                continue;
            }

            if (v.Percent < 0 || v.Percent > 100)
            {
                errors.Add(new(
                    $"{fr} : la variante « {v.Name} » a une allocation de {French(v.Percent)} %, hors de [0 ; 100].",
                    $"{en}: variant '{v.Name}' has an allocation of {English(v.Percent)} %, outside [0, 100].",
                    "variants"));
            }
        }

        foreach (var duplicate in variants.Where(v => v is not null && !string.IsNullOrWhiteSpace(v.Name))
                     .GroupBy(v => v.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new(
                $"{fr} : la variante « {duplicate.Key} » apparaît {duplicate.Count()} fois ; les noms de variantes doivent être uniques.",
                $"{en}: variant '{duplicate.Key}' appears {duplicate.Count()} times; variant names must be unique.",
                "variants"));
        }

        var sum = variants.Where(v => v is not null).Sum(v => v.Percent);
        if (variants.Count > 0 && sum != 100m)
        {
            errors.Add(new(
                $"{fr} : les allocations totalisent {French(sum)} % ; elles doivent totaliser exactement 100 %.",
                $"{en}: the allocations add up to {English(sum)} %; they must add up to exactly 100 %.",
                "variants"));
        }

        var targeting = definition.Targeting;
        if (targeting is null)
        {
            errors.Add(new(
                $"{fr} : le ciblage est obligatoire (utilisez ExperimentTargeting.Everyone pour tout le monde).",
                $"{en}: the targeting is required (use ExperimentTargeting.Everyone for everyone).",
                "targeting"));
        }
        else
        {
            if (targeting.ProjectIds is null || targeting.ProjectIds.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(new(
                    $"{fr} : un identifiant de projet ciblé est vide.",
                    $"{en}: a targeted project id is empty.",
                    "projects"));
            }

            if (targeting.Channels is null || targeting.Channels.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add(new(
                    $"{fr} : un canal ciblé est vide.",
                    $"{en}: a targeted channel is empty.",
                    "channels"));
            }

            if (!Enum.IsDefined(targeting.Audience))
            {
                errors.Add(new(
                    $"{fr} : public inconnu ({targeting.Audience}) ; attendu : all, new ou returning.",
                    $"{en}: unknown audience ({targeting.Audience}); expected all, new or returning.",
                    "audience"));
            }
        }

        return errors;
    }

    /// <summary>
    /// Problems of a whole catalogue, in French (see <see cref="CatalogProblems"/> for both languages).
    /// </summary>
    public static IReadOnlyList<string> ValidateCatalog(IEnumerable<ExperimentDefinition> definitions) =>
        [.. CatalogProblems(definitions).Select(p => p.Fr)];

    /// <summary>
    /// Problems of a whole catalogue: each definition (<see cref="Problems"/>) and those between
    /// definitions (<see cref="ProblemsBetween"/>).
    /// </summary>
    public static IReadOnlyList<ExperimentProblem> CatalogProblems(IEnumerable<ExperimentDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var list = definitions.ToList();
        return [.. list.SelectMany(Problems), .. ProblemsBetween(list)];
    }

    /// <summary>
    /// Problems between definitions: duplicate names, and running experiments on the same lever
    /// that could reach the same contributor (allowed only when both declare
    /// <see cref="ExperimentDefinition.AllowOverlap"/>).
    /// </summary>
    public static IReadOnlyList<ExperimentProblem> ProblemsBetween(IEnumerable<ExperimentDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var list = definitions.ToList();
        var errors = new List<ExperimentProblem>();
        foreach (var duplicate in list.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new(
                $"Le nom d'expérience « {duplicate.Key} » est utilisé {duplicate.Count()} fois.",
                $"The experiment name '{duplicate.Key}' is used {duplicate.Count()} times.",
                "name"));
        }

        var running = list.Where(d => d.Status == ExperimentStatus.Running && d.Targeting is not null).ToList();
        for (var i = 0; i < running.Count; i++)
        {
            for (var j = i + 1; j < running.Count; j++)
            {
                var (a, b) = (running[i], running[j]);
                if (a.Lever == b.Lever && a.Targeting.Intersects(b.Targeting) && !(a.AllowOverlap && b.AllowOverlap))
                {
                    errors.Add(new(
                        $"Les expériences « {a.Name} » et « {b.Name} » portent toutes deux sur le levier {LeverName(a.Lever)} et peuvent toucher le même contributeur : " +
                        "restreignez leur ciblage (projets, canaux, public) pour qu'il soit disjoint, ou déclarez allow_overlap sur les deux.",
                        $"Experiments '{a.Name}' and '{b.Name}' are both on the {LeverName(a.Lever)} lever and can reach the same contributor: " +
                        "restrict their targeting (projects, channels, audience) so that it is disjoint, or declare allow_overlap on both.",
                        "allow_overlap"));
                }
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="ExperimentDefinitionException"/> listing every problem, if any.</summary>
    public static void ThrowIfInvalid(ExperimentDefinition definition)
    {
        var errors = Problems(definition);
        if (errors.Count > 0)
        {
            throw new ExperimentDefinitionException(errors);
        }
    }

    /// <summary>The lever as written in files: tone, frequency, question_mode.</summary>
    public static string LeverName(ExperimentLever lever) => lever switch
    {
        ExperimentLever.Tone => "tone",
        ExperimentLever.Frequency => "frequency",
        ExperimentLever.QuestionMode => "question_mode",
        _ => lever.ToString(),
    };

    /// <summary>A percentage as French writes it (33,5).</summary>
    internal static string French(decimal value) => value.ToString("0.##", CultureInfo.GetCultureInfo("fr-FR"));

    /// <summary>A percentage as English writes it (33.5).</summary>
    internal static string English(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
