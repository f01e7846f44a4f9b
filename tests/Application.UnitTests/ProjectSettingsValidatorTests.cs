using System.Globalization;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Domain.Projects;

namespace CoConstruisons.Application.UnitTests;

public class ProjectSettingsValidatorTests
{
    private static List<string> Errors(params Choice[] choices)
    {
        var before = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr-FR");
        try
        {
            var settings = new ProjectSettings("Toits", "", "Dans quel sens ?", choices, AllowDontKnow: true, "", 3);
            return [.. new ProjectSettingsValidator().Validate(settings).Errors.Select(e => e.ErrorMessage)];
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void Two_blank_choices_are_told_they_need_a_label_not_that_they_repeat_each_other()
    {
        var errors = Errors(new Choice("", ""), new Choice("", ""));

        Assert.Contains("Chaque choix a un libellé.", errors);
        Assert.DoesNotContain("Deux choix ont le même libellé.", errors);
        Assert.DoesNotContain("Deux choix ont la même clé.", errors);
    }

    [Fact]
    public void Two_filled_in_choices_that_repeat_are_refused()
    {
        Assert.Contains("Deux choix ont le même libellé.", Errors(new Choice("a", "Plat"), new Choice("b", " plat ")));
        Assert.Contains("Deux choix ont la même clé.", Errors(new Choice("a", "Plat"), new Choice("a", "Pentu")));
        Assert.Empty(Errors(new Choice("a", "Plat"), new Choice("b", "Pentu")));
    }
}
