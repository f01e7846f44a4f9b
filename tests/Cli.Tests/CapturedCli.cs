namespace CoConstruisons.Cli.Tests;

/// <summary>Runs commands in-process through <see cref="CliHost"/> with the console captured (this assembly's tests run one at a time).</summary>
internal static class CapturedCli
{
    public static async Task<(int Code, string Out, string Err)> Run(IReadOnlyList<ICliCommand> commands, string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
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
