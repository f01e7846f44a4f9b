using CoConstruisons.Gateways.Slack.Campaigns;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CoConstruisons.Gateways.Slack;

/// <summary>Composition root of the Slack gateway: one endpoint, a work queue, Slack and platform clients.</summary>
public static class SlackGatewayHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });

        // Settings come from environment variables and the command line only (no appsettings file):
        // the gateway never picks up another host's Kestrel endpoints by accident.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        configure?.Invoke(builder);

        // Every setting at once (the gateway's and its nudge schedule's): one message names every problem.
        var (settings, schedule) = SlackGatewaySettings.ReadAll(builder.Configuration);
        builder.WebHost.UseUrls(settings.ListenUrl);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new CobotTexts(settings.English, settings.Tone));
        services.AddSingleton<SlackSignatureVerifier>();
        services.AddSingleton<WorkJournal>();
        services.AddSingleton<SeenEvents>();
        services.AddSingleton<SlackWorkQueue>();
        services.AddSingleton<SlackInbox>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<AddressSeal>();
        services.AddSingleton<AnswerIdempotency>();
        services.AddSingleton<ICobotPlatform, GrpcCobotPlatform>();
        services.AddSingleton<CobotConversation>();
        services.AddHttpClient<ISlackWebApi, SlackWebApi>(c => c.Timeout = TimeSpan.FromSeconds(30));
        services.AddHostedService<SlackWorker>();
        services.AddCobotCampaigns(schedule);

        var app = builder.Build();
        app.MapPost("/slack/events", (HttpContext http, SlackInbox inbox) => inbox.HandleAsync(http));
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }
}
