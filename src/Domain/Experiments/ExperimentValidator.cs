using System.Globalization;

namespace CoConstruisons.Domain.Experiments;

/// <summary>
/// Checks experiment definitions and returns every problem as a sentence (French, the platform's
/// language), so a researcher can fix them all at once. An empty list means the definition is valid.
/// </summary>
public static class ExperimentValidator
{
    /// <summary>Problems of one definition taken alone.</summary>
    public static IReadOnlyList<string> Validate(ExperimentDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<string>();
        var name = definition.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("Le nom de l'expérience est obligatoire.");
            name = "?";
        }
        else if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            errors.Add($"Le nom « {name} » ne doit contenir que des lettres, chiffres, « _ », « - » ou « . » (c'est aussi le nom du feature flag).");
        }

        if (!Enum.IsDefined(definition.Lever))
        {
            errors.Add($"Expérience « {name} » : levier inconnu ({definition.Lever}); attendu : tone, frequency ou question_mode.");
        }

        if (string.IsNullOrWhiteSpace(definition.Seed))
        {
            errors.Add($"Expérience « {name} » : la graine (seed) est obligatoire ; elle fixe l'allocation de chaque contributeur.");
        }

        var variants = definition.Variants ?? [];
        if (variants.Count < 2)
        {
            errors.Add($"Expérience « {name} » : il faut au moins 2 variantes (un témoin et une variante testée), il y en a {variants.Count}.");
        }

        for (var i = 0; i < variants.Count; i++)
        {
            var v = variants[i];
            if (v is null || string.IsNullOrWhiteSpace(v.Name))
            {
                errors.Add($"Expérience « {name} » : la variante n° {i + 1} n'a pas de nom.");
                continue;
            }

            if (v.Percent < 0 || v.Percent > 100)
            {
                errors.Add($"Expérience « {name} » : la variante « {v.Name} » a une allocation de {Format(v.Percent)} %, hors de [0 ; 100].");
            }
        }

        foreach (var duplicate in variants.Where(v => v is not null && !string.IsNullOrWhiteSpace(v.Name))
                     .GroupBy(v => v.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"Expérience « {name} » : la variante « {duplicate.Key} » apparaît {duplicate.Count()} fois ; les noms de variantes doivent être uniques.");
        }

        var sum = variants.Where(v => v is not null).Sum(v => v.Percent);
        if (variants.Count > 0 && sum != 100m)
        {
            errors.Add($"Expérience « {name} » : les allocations totalisent {Format(sum)} % ; elles doivent totaliser exactement 100 %.");
        }

        var targeting = definition.Targeting;
        if (targeting is null)
        {
            errors.Add($"Expérience « {name} » : le ciblage est obligatoire (utilisez ExperimentTargeting.Everyone pour tout le monde).");
        }
        else
        {
            if (targeting.ProjectIds.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"Expérience « {name} » : un identifiant de projet ciblé est vide.");
            }

            if (targeting.Channels.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"Expérience « {name} » : un canal ciblé est vide.");
            }
        }

        return errors;
    }

    /// <summary>
    /// Problems of a whole catalogue: each definition, duplicate names, and running experiments on
    /// the same lever that could reach the same contributor (allowed only when both declare
    /// <see cref="ExperimentDefinition.AllowOverlap"/>).
    /// </summary>
    public static IReadOnlyList<string> ValidateCatalog(IEnumerable<ExperimentDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var list = definitions.ToList();
        var errors = list.SelectMany(Validate).ToList();
        foreach (var duplicate in list.GroupBy(d => d.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"Le nom d'expérience « {duplicate.Key} » est utilisé {duplicate.Count()} fois.");
        }

        var running = list.Where(d => d.Status == ExperimentStatus.Running && d.Targeting is not null).ToList();
        for (var i = 0; i < running.Count; i++)
        {
            for (var j = i + 1; j < running.Count; j++)
            {
                var (a, b) = (running[i], running[j]);
                if (a.Lever == b.Lever && a.Targeting.Intersects(b.Targeting) && !(a.AllowOverlap && b.AllowOverlap))
                {
                    errors.Add($"Les expériences « {a.Name} » et « {b.Name} » portent toutes deux sur le levier {LeverName(a.Lever)} et peuvent toucher le même contributeur : " +
                               "restreignez leur ciblage (projets, canaux, public) pour qu'il soit disjoint, ou déclarez allow_overlap sur les deux.");
                }
            }
        }

        return errors;
    }

    /// <summary>Throws <see cref="ExperimentDefinitionException"/> listing every problem, if any.</summary>
    public static void ThrowIfInvalid(ExperimentDefinition definition)
    {
        var errors = Validate(definition);
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

    private static string Format(decimal value) => value.ToString("0.##", CultureInfo.GetCultureInfo("fr-FR"));
}
