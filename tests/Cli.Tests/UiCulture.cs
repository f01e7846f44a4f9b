using System.Globalization;

namespace CoConstruisons.Cli.Tests;

/// <summary>
/// Pins the language of the messages (CurrentUICulture, and DefaultThreadCurrentUICulture for the
/// threads the code under test starts) until disposed, then restores both, so that a test's
/// expected texts never depend on the machine's locale (this assembly's tests run one at a time).
/// </summary>
internal sealed class UiCulture : IDisposable
{
    public const string English = "en-GB";
    public const string French = "fr-FR";

    private readonly CultureInfo _before = CultureInfo.CurrentUICulture;
    private readonly CultureInfo? _beforeDefault = CultureInfo.DefaultThreadCurrentUICulture;

    private UiCulture(string name)
    {
        var culture = CultureInfo.GetCultureInfo(name);
        CultureInfo.DefaultThreadCurrentUICulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }

    /// <summary>Call it from the test method itself (a synchronous call, so the culture stays set for the rest of the test).</summary>
    public static UiCulture Use(string name) => new(name);

    public void Dispose()
    {
        CultureInfo.CurrentUICulture = _before;
        CultureInfo.DefaultThreadCurrentUICulture = _beforeDefault;
    }
}
