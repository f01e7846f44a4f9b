using System.Globalization;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CoConstruisons.EndToEnd.Tests;

/// <summary>
/// Runs axe-core (bundled by Deque.AxeCore.Commons, nothing is downloaded) on the page as it stands, with
/// the WCAG 2.0 and 2.1 level A and AA rules (what RGAA 4 builds on), and fails with every violation:
/// its rule, impact, help text and link, and each offending node's selector, markup and axe's summary.
/// Called from the existing flows at each view they reach, so no flow of its own.
/// </summary>
public static class Accessibility
{
    /// <summary>The axe tags of WCAG 2.0 and 2.1, levels A and AA.</summary>
    public static readonly IReadOnlyList<string> WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// <summary>
    /// Asserts that axe finds no WCAG 2.x A/AA violation on the page once its sections have loaded (no
    /// "Chargement…" left in main); <paramref name="view"/> names the view in the failure.
    /// </summary>
    public static async Task AssertNoViolationsAsync(IPage page, string view)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Assertions.Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
        var options = new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagTags] },
            ResultTypes = [ResultType.Violations],
        };
        var result = await page.RunAxe(options);
        if (result.Violations.Length > 0)
        {
            Assert.Fail(Describe(view, page.Url, result.Violations));
        }
    }

    /// <summary>The failure message: one paragraph per violated rule, one line per offending node.</summary>
    public static string Describe(string view, string url, IReadOnlyCollection<AxeResultItem> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"axe found {violations.Count} accessibility violation(s) (WCAG 2.x A/AA) on \"{view}\" ({url}):");
        foreach (var v in violations)
        {
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"- {v.Id} [{v.Impact}]: {v.Help} ({v.HelpUrl}), {v.Nodes.Length} node(s):");
            foreach (var node in v.Nodes)
            {
                text.AppendLine();
                text.Append(CultureInfo.InvariantCulture, $"    {node.Target}  {Shorten(node.Html)}");
                AppendChecks(text, "fix any of", node.Any);
                AppendChecks(text, "fix all of", [.. node.All ?? [], .. node.None ?? []]);
            }
        }

        return text.ToString();
    }

    /// <summary>axe's own words on what failed for one node (the checks' messages).</summary>
    private static void AppendChecks(StringBuilder text, string kind, AxeResultCheck[]? checks)
    {
        var messages = (checks ?? []).Select(c => c.Message).Where(m => !string.IsNullOrWhiteSpace(m)).ToList();
        if (messages.Count > 0)
        {
            text.AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"      {kind}: {string.Join(" | ", messages).ReplaceLineEndings(" ")}");
        }
    }

    private static string Shorten(string? html)
    {
        var flat = (html ?? "").ReplaceLineEndings(" ");
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }
}
