using CoConstruisons.Cli;
using CoConstruisons.Cli.Commands;

// Every sub-command; add new ones here.
ICliCommand[] commands =
[
    new CoConstruisons.Cli.Bench.ServeBenchCommand(),
    new BenchExperimentsCommand(),
    new ExperimentsValidateCommand(),
];

return await CliHost.RunAsync(commands, args);
