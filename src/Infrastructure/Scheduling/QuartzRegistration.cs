using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace CoConstruisons.Infrastructure.Scheduling;

/// <summary>
/// Quartz on its PostgreSQL job store (tables <c>{schema}.qrtz_*</c>, created by Quartz itself when
/// missing), clustered: every node may run jobs and each fire runs on one node only. Jobs do no work
/// themselves: each sends one mediator command. They are added with
/// <c>services.Configure&lt;QuartzOptions&gt;(o =&gt; o.AddJob…/AddTrigger…)</c>. Setting
/// <c>Quartz:Enabled=false</c> turns the scheduler off on a node (e.g. an Api-only node).
/// </summary>
public static class QuartzRegistration
{
    public static void AddScheduling(this IServiceCollection services, IConfiguration configuration, string connectionString, string schema)
    {
        if (!configuration.GetValue("Quartz:Enabled", true))
        {
            services.AddSingleton<CoConstruisons.Application.Abstractions.IModelTrainingQueue, InProcessModelTrainingQueue>();
            return;
        }

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "coconstruisons";
                s.GenerateInstanceId = true;

                // On shutdown, running jobs are cancelled (their token) and awaited: a model training then stops at its
                // next check and records itself interrupted, instead of running on until the host stops waiting and
                // kills it mid-run.
                s.ShutdownJobInterruption = ShutdownJobInterruption.WhenWaitingForJobs;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(NpgsqlFactory.Instance, connectionString);
                store.ConfigureStore(o => o.TablePrefix = schema + ".qrtz_");
                store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(10));
                store.ProvisionSchema();
            });
            var every = TimeSpan.FromMinutes(configuration.GetValue("Consensus:RefitMinutes", 10.0));
            q.ScheduleJob<RefitConsensusJob>(
                trigger => trigger.WithIdentity(RefitConsensusJob.Name).StartAt(DateTimeOffset.UtcNow + every)
                    .WithSimpleSchedule(s => s.WithInterval(every).RepeatForever()),
                job => job.WithIdentity(RefitConsensusJob.Name));
            var retrain = configuration.GetValue("Model:RetrainHours", 6.0);
            if (retrain > 0)
            {
                var period = TimeSpan.FromHours(retrain);
                q.ScheduleJob<RetrainModelsJob>(
                    trigger => trigger.WithIdentity(RetrainModelsJob.Name).StartAt(DateTimeOffset.UtcNow + period)
                        .WithSimpleSchedule(s => s.WithInterval(period).RepeatForever()),
                    job => job.WithIdentity(RetrainModelsJob.Name));
            }
        });
        services.AddSingleton<CoConstruisons.Application.Abstractions.IModelTrainingQueue, QuartzModelTrainingQueue>();
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }
}
