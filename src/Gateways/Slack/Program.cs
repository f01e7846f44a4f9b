using CoConstruisons.Gateways.Slack;

try
{
    var app = SlackGatewayHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (SlackSettingsException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
