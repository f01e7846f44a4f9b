using System.Globalization;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Tests;

/// <summary>The platform's messages the command line relays follow the terminal's language (tests run one at a time).</summary>
public sealed class CliLanguageTests
{
    [Theory]
    [InlineData("fr_FR.UTF-8", null, null, "Il faut entre 2 et 10 choix.")]
    [InlineData("C.UTF-8", null, null, "Between 2 and 10 choices are needed.")]
    [InlineData(null, null, null, "Between 2 and 10 choices are needed.")]
    [InlineData("en_US.UTF-8", "fr_CA.UTF-8", null, "Il faut entre 2 et 10 choix.")]
    [InlineData("fr_FR.UTF-8", null, "C", "Between 2 and 10 choices are needed.")]
    public void The_platforms_messages_are_in_french_under_a_french_locale_and_in_english_otherwise(string? lang, string? messages, string? all, string expected)
    {
        var (before, beforeDefault) = (CultureInfo.CurrentUICulture, CultureInfo.DefaultThreadCurrentUICulture);
        try
        {
            var environment = new Dictionary<string, string?> { ["LANG"] = lang, ["LC_MESSAGES"] = messages, ["LC_ALL"] = all };
            CliHost.UseTerminalLanguage(name => environment.GetValueOrDefault(name));

            Assert.Equal(expected, Texts.T("Il faut entre 2 et 10 choix.", "Between 2 and 10 choices are needed."));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
            CultureInfo.DefaultThreadCurrentUICulture = beforeDefault;
        }
    }
}
