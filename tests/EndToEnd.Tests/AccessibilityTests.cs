using Microsoft.Playwright;
using Xunit.Sdk;

namespace CoConstruisons.EndToEnd.Tests;

/// <summary>
/// The accessibility check itself, on small static pages (no server): it must fail on known WCAG
/// violations, with a message a developer can act on, and pass on a clean page. A check that
/// silently ran no rule would otherwise look like an accessible portal.
/// </summary>
public sealed class AccessibilityTests : IAsyncLifetime
{
    private ChromiumSession? chromium;

    private IBrowser Browser => chromium!.Browser;

    public async Task InitializeAsync() => chromium = await ChromiumSession.StartAsync();

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_check_fails_on_known_violations_naming_each_rule_its_impact_and_the_offending_nodes()
    {
        var page = await Browser.NewPageAsync();
        await page.SetContentAsync("""
            <!doctype html>
            <html><head><title>Bad</title></head>
            <body><main>
              <h1>Bad page</h1>
              <img src="data:," id="no-alt">
              <input type="text" id="no-label">
              <p style="color:#aaaaaa;background:#ffffff" id="pale">Pale text</p>
            </main></body></html>
            """);

        var failure = await Assert.ThrowsAsync<FailException>(() => Accessibility.AssertNoViolationsAsync(page, "a bad page"));

        Assert.Contains("on \"a bad page\"", failure.Message, StringComparison.Ordinal);
        Assert.Contains("- html-has-lang [serious]: <html> element must have a lang attribute", failure.Message, StringComparison.Ordinal);
        Assert.Contains("- image-alt [critical]:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("#no-alt", failure.Message, StringComparison.Ordinal);
        Assert.Contains("- label [critical]:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("#no-label", failure.Message, StringComparison.Ordinal);
        Assert.Contains("- color-contrast [serious]:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("#pale", failure.Message, StringComparison.Ordinal);
        Assert.Contains("insufficient color contrast", failure.Message, StringComparison.Ordinal); // axe's own words on the node
    }

    [Fact]
    public async Task The_check_passes_on_a_clean_page()
    {
        var page = await Browser.NewPageAsync();
        await page.SetContentAsync("""
            <!doctype html>
            <html lang="fr"><head><title>Bonne page</title></head>
            <body><main>
              <h1>Bonne page</h1>
              <img src="data:," alt="Un toit plat">
              <label for="name">Nom</label> <input type="text" id="name">
            </main></body></html>
            """);

        await Accessibility.AssertNoViolationsAsync(page, "a clean page");
    }
}
