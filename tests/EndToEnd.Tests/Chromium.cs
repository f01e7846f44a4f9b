using Microsoft.Playwright;

namespace CoConstruisons.EndToEnd.Tests;

/// <summary>Debian's Chromium, launched by path: Playwright's own browsers are never downloaded.</summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"{ExecutablePath} is missing: install Debian's Chromium (`apt-get install -y chromium`); Playwright's own browsers are never downloaded.");
        }

        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }
}

/// <summary>Playwright and one Chromium for a test class: started together, closed together.</summary>
public sealed class ChromiumSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private ChromiumSession(IPlaywright playwright, IBrowser browser) => (_playwright, Browser) = (playwright, browser);

    public IBrowser Browser { get; }

    public static async Task<ChromiumSession> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            return new ChromiumSession(playwright, await Chromium.LaunchAsync(playwright));
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
