using CoConstruisons.Cli;

// Every sub-command; add new ones here.
ICliCommand[] commands =
[
];

return await CliHost.RunAsync(commands, args);
