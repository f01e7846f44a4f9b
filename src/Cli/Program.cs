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

return await CliHost.RunAsync(commands, args);
