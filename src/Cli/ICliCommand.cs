namespace CoConstruisons.Cli;

/// <summary>One `coconstruisons` sub-command. Returns the process exit code (0 = success, 1 = failure, 2 = bad usage, 3 = an import that ran but refused some rows).</summary>
public interface ICliCommand
{
    /// <summary>The words that select it, e.g. "consensus" or "bench consensus".</summary>
    string Name { get; }

    string Usage { get; }

    string Summary { get; }

    Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken);
}
