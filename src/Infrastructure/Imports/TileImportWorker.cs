using CoConstruisons.Application.Images.TileImportJobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Infrastructure.Imports;

/// <summary>
/// The node's background worker for import jobs: runs one job at a time through
/// <see cref="TileImportRunner"/>, woken at once when a job is started on this node
/// (<see cref="TileImportSignal"/>) and otherwise looking every <c>Imports:PollSeconds</c> for
/// queued jobs and for jobs whose node stopped (expired claim). Off with <c>Imports:Worker=false</c>.
/// </summary>
public sealed partial class TileImportWorker(
    IServiceScopeFactory scopes,
    TileImportSignal signal,
    IOptions<ImportOptions> options,
    ILogger<TileImportWorker> logger) : BackgroundService
{
    private readonly string _name = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(Math.Max(0.1, options.Value.PollSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            var ran = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                ran = await scope.ServiceProvider.GetRequiredService<TileImportRunner>().RunNextAsync(_name, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the worker outlives any one failure; the job itself records what it can
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogLoopFailed(logger, ex);
            }

            if (!ran)
            {
                try
                {
                    await signal.WaitAsync(poll, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Import worker: a round failed; it tries again shortly")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
