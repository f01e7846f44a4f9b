using CoConstruisons.Cli;
using CoConstruisons.Cli.Commands;

// Every sub-command; add new ones here.
ICliCommand[] commands =
[
    new CoConstruisons.Cli.Bench.ServeBenchCommand(),
    new AddOwnerCommand(),
    new CoConstruisons.Cli.Bench.ReplayBenchCommand(),
    new CoConstruisons.Cli.Bench.LoopBenchCommand(),
    new ImportOpenSolarMapCommand(),
    new ImportManifestCommand(),
    new ImportTilesCommand(),
    new BenchExperimentsCommand(),
    new ExperimentsValidateCommand(),
    new CoConstruisons.Cli.Commands.ConsensusCommand(),
    new CoConstruisons.Cli.Commands.BenchConsensusCommand(),
    new TrainImagesCommand(),
    new PredictCommand(),
    new BenchModelCommand(),
    .. ExperimentsAdminCommand.All,
];

// The command line's messages, and the platform's it relays (validation, imports, training), follow
// the terminal's language: French under a French locale (LC_ALL, LC_MESSAGES or LANG = fr…), English otherwise.
CliHost.UseTerminalLanguage(Environment.GetEnvironmentVariable);
return await CliHost.RunAsync(commands, args);
