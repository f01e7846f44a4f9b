using Npgsql;
using Quartz;

namespace CoConstruisons.Gateways.Slack.Campaigns;

/// <summary>The Quartz job of a nudge round; never two rounds at once.</summary>
[DisallowConcurrentExecution]
public sealed partial class NudgeJob(NudgeService nudges, NudgeRounds rounds, ILogger<NudgeJob> logger) : IJob
{
    public static readonly JobKey Key = new("cobot-nudges", "slack");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        rounds.Ran(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        var sent = await nudges.RunAsync(cancellationToken);
        if (sent > 0)
        {
            LogSent(sent);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Nudge round: {Sent} invitation(s) sent")]
    private partial void LogSent(int sent);
}

public static class CampaignRegistration
{
    /// <summary>
    /// The nudge service and, when enabled, Quartz with the nudge job on a cron trigger in the
    /// schedule's time zone. Job store: PostgreSQL, clustered, when COBOT_QUARTZ_CONNECTION is set
    /// (Quartz creates its qrtz_ tables if missing; each fire runs on one node only); else in memory.
    /// </summary>
    public static IServiceCollection AddCobotCampaigns(this IServiceCollection services, NudgeSchedule rules)
    {
        services.AddSingleton(rules);
        services.AddSingleton<NudgeService>();
        services.AddSingleton<NudgeRounds>();
        if (!rules.Enabled)
        {
            return services;
        }

        services.AddQuartz(q =>
        {
            if (string.IsNullOrWhiteSpace(rules.QuartzConnection))
            {
                q.UseInMemoryStore();
            }
            else
            {
                q.ConfigureScheduler(o => o.InstanceName = "cobot-slack");
                q.UsePersistentStore(s =>
                {
                    s.UsePostgres(NpgsqlFactory.Instance, rules.QuartzConnection);
                    s.UseClustering();
                    s.ProvisionSchema();
                });
            }

            q.AddJob<NudgeJob>(j => j.WithIdentity(NudgeJob.Key).StoreDurably());
            q.AddTrigger(t => t
                .ForJob(NudgeJob.Key)
                .WithIdentity("cobot-nudges-cron", "slack")
                .WithCronSchedule(rules.Cron, c => c.InTimeZone(rules.TimeZone)));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}

/// <summary>The scheduled times of the nudge rounds this node ran (to show each fire runs on one node only).</summary>
public sealed class NudgeRounds
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset> _scheduled = new();

    public IReadOnlyCollection<DateTimeOffset> Scheduled => _scheduled;

    public void Ran(DateTimeOffset scheduledFireTime) => _scheduled.Enqueue(scheduledFireTime);
}
