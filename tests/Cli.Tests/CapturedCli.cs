namespace CoConstruisons.Cli.Tests;

/// <summary>
/// Runs commands in-process through <see cref="CliHost"/> with the console captured (this assembly's tests run one at a time),
/// in the language given (English unless a test asks for French), whatever the machine's locale.
/// </summary>
internal static class CapturedCli
{
    public static async Task<(int Code, string Out, string Err)> Run(IReadOnlyList<ICliCommand> commands, string[] args, string culture = UiCulture.English)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var language = UiCulture.Use(culture);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = await CliHost.RunAsync(commands, args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
