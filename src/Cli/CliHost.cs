namespace CoConstruisons.Cli;

public static class CliHost
{
    public static async Task<int> RunAsync(IReadOnlyList<ICliCommand> commands, string[] args)
    {
        // Longest match first: "bench consensus" before "bench".
        var command = commands
            .OrderByDescending(c => c.Name.Split(' ').Length)
            .FirstOrDefault(c => c.Name.Split(' ').SequenceEqual(args.Take(c.Name.Split(' ').Length)));
        if (command is null || args.Contains("--help") || args.Contains("-h"))
        {
            PrintHelp(commands, command);
            return args.Length == 0 || args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        try
        {
            var rest = args.Skip(command.Name.Split(' ').Length);
            return await command.RunAsync(new CliArgs(rest, FlagsOf(command)), cts.Token);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine($"usage: coconstruisons {command.Usage}");
            return 2;
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    private static HashSet<string> FlagsOf(ICliCommand command) =>
        command is IHasFlags f ? new HashSet<string>(f.Flags, StringComparer.Ordinal) : [];

    private static void PrintHelp(IReadOnlyList<ICliCommand> commands, ICliCommand? selected)
    {
        if (selected is not null)
        {
            Console.WriteLine($"usage: coconstruisons {selected.Usage}\n\n{selected.Summary}");
            return;
        }

        Console.WriteLine("coconstruisons — Co-construisons command line\n\ncommands:");
        foreach (var c in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {c.Usage}\n      {c.Summary}");
        }
    }
}

/// <summary>Commands with boolean options list them here (they take no value).</summary>
public interface IHasFlags
{
    IReadOnlyList<string> Flags { get; }
}

/// <summary>An expected failure (bad file, missing data): its message is printed, exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);
