using CoConstruisons.Cli;

// Every sub-command; add new ones here.
ICliCommand[] commands =
[
    new CoConstruisons.Cli.Bench.ServeBenchCommand(),
];

return await CliHost.RunAsync(commands, args);
