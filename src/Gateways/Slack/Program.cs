using CoConstruisons.Gateways.Slack;

try
{
    var app = SlackGatewayHost.Build(args);
    app.Lifetime.ApplicationStarted.Register(() =>
        Console.WriteLine("  Cobot Slack : " + app.Services.GetRequiredService<SlackGatewaySettings>() + " — URL Slack : /slack/events"));
    await app.RunAsync();
    return 0;
}
catch (SlackSettingsException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
