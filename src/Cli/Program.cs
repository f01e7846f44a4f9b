using CoConstruisons.Cli;
using CoConstruisons.Cli.Commands;

// Every sub-command; add new ones here.
ICliCommand[] commands =
[
    new TrainImagesCommand(),
    new PredictCommand(),
    new BenchModelCommand(),
];

return await CliHost.RunAsync(commands, args);
