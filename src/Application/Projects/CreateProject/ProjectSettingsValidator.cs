using CoConstruisons.Application.Common;
using CoConstruisons.Domain.Projects;
using FluentValidation;

namespace CoConstruisons.Application.Projects.CreateProject;

/// <summary>The rules every project's settings follow; messages in French or English.</summary>
public sealed class ProjectSettingsValidator : AbstractValidator<ProjectSettings>
{
    public ProjectSettingsValidator()
    {
        RuleFor(s => s.Title).Must(t => !string.IsNullOrWhiteSpace(t))
            .WithMessage(_ => Texts.T("Le titre est obligatoire.", "A title is required."))
            .MaximumLength(200).WithMessage(_ => Texts.T("Le titre fait au plus 200 caractères.", "The title is at most 200 characters."));
        RuleFor(s => s.Description).MaximumLength(4000)
            .WithMessage(_ => Texts.T("La description fait au plus 4000 caractères.", "The description is at most 4000 characters."));
        RuleFor(s => s.Question).Must(q => !string.IsNullOrWhiteSpace(q))
            .WithMessage(_ => Texts.T("La question est obligatoire.", "A question is required."))
            .MaximumLength(500).WithMessage(_ => Texts.T("La question fait au plus 500 caractères.", "The question is at most 500 characters."));
        RuleFor(s => s.Instructions).MaximumLength(4000)
            .WithMessage(_ => Texts.T("Les consignes font au plus 4000 caractères.", "The instructions are at most 4000 characters."));
        RuleFor(s => s.Choices.Count).InclusiveBetween(ProjectSettings.MinChoices, ProjectSettings.MaxChoices)
            .OverridePropertyName(nameof(ProjectSettings.Choices))
            .WithMessage(_ => Texts.T("Il faut entre 2 et 10 choix.", "Between 2 and 10 choices are needed."));
        RuleForEach(s => s.Choices).ChildRules(choice =>
        {
            choice.RuleFor(c => c.Label).Must(l => !string.IsNullOrWhiteSpace(l))
                .WithMessage(_ => Texts.T("Chaque choix a un libellé.", "Every choice needs a label."))
                .MaximumLength(100).WithMessage(_ => Texts.T("Un libellé fait au plus 100 caractères.", "A label is at most 100 characters."));
            choice.RuleFor(c => c.Key).Matches("^[a-z0-9_]{1,40}$")
                .WithMessage(_ => Texts.T(
                    "La clé d'un choix n'a que des minuscules, chiffres ou « _ » (40 au plus).",
                    "A choice key has only lowercase letters, digits or '_' (at most 40)."))
                .NotEqual(Choice.DontKnowKey)
                .WithMessage(_ => Texts.T("« dont_know » est réservé à « je ne sais pas ».", "'dont_know' is reserved for \"don't know\"."));
        });
        // Blank keys and labels already have their own message: only filled-in ones can repeat.
        RuleFor(s => s.Choices).Must(c => NoRepeat(c.Select(x => x.Key), StringComparer.Ordinal))
            .WithMessage(_ => Texts.T("Deux choix ont la même clé.", "Two choices have the same key."))
            .Must(c => NoRepeat(c.Select(x => x.Label), StringComparer.OrdinalIgnoreCase))
            .WithMessage(_ => Texts.T("Deux choix ont le même libellé.", "Two choices have the same label."));
        RuleFor(s => s.AnswersPerItem).InclusiveBetween(1, ProjectSettings.MaxAnswersPerItem)
            .WithMessage(_ => Texts.T("Le nombre de réponses par image va de 1 à 100.", "Answers per image must be between 1 and 100."));
        RuleFor(s => s.MinAnswersPerItem).Must((s, min) => min >= 1 && min <= s.AnswersPerItem)
            .WithMessage(_ => Texts.T(
                "Le minimum de réponses par image va de 1 au nombre de réponses voulues.",
                "The minimum answers per image is between 1 and the answers wanted."));
        RuleFor(s => s.ConfidenceTarget).InclusiveBetween(0.5, 0.999)
            .WithMessage(_ => Texts.T("La confiance visée va de 0,5 à 0,999.", "The confidence target is between 0.5 and 0.999."));
        RuleFor(s => s.AutoLabelPrecision).InclusiveBetween(0.5, 0.999)
            .WithMessage(_ => Texts.T(
                "La précision visée pour l'étiquetage automatique va de 0,5 à 0,999.",
                "The auto-label target precision is between 0.5 and 0.999."));
        RuleFor(s => s.ModelPriorWeight).InclusiveBetween(0, 1)
            .WithMessage(_ => Texts.T(
                "Le poids du modèle dans le consensus va de 0 (sans effet) à 1.",
                "The model's weight in consensus is between 0 (no effect) and 1."));
        RuleFor(s => s.Language).Must(l => ProjectSettings.Languages.Contains(l))
            .WithMessage(s => Texts.T(
                $"La langue des textes du projet est « fr » (français) ou « en » (anglais), pas « {s.Language} ».",
                $"The project's texts are in 'fr' (French) or 'en' (English), not '{s.Language}'."));
    }

    private static bool NoRepeat(IEnumerable<string?> values, StringComparer comparer)
    {
        var filled = values.Select(v => (v ?? "").Trim()).Where(v => v.Length > 0).ToList();
        return filled.Distinct(comparer).Count() == filled.Count;
    }
}

public sealed class CreateProjectValidator : AbstractValidator<CreateProject>
{
    public CreateProjectValidator()
    {
        RuleFor(c => c.Settings).NotNull().SetValidator(new ProjectSettingsValidator());
    }
}
