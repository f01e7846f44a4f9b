using CoConstruisons.Cli;

// Every sub-command; add new ones here.
ICliCommand[] commands =
[
    new CoConstruisons.Cli.Commands.ConsensusCommand(),
    new CoConstruisons.Cli.Commands.BenchConsensusCommand(),
];

return await CliHost.RunAsync(commands, args);
