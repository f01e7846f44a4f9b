using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace CoConstruisons.Gateways.Slack;

/// <summary>Work accepted from Slack and done after the 200 is sent (Slack wants an answer within 3 seconds).</summary>
public abstract record SlackWork(string TeamId, string UserId)
{
    /// <summary>The platform's name for this user: "team:user".</summary>
    public string SlackUser => TeamId + ":" + UserId;
}

/// <summary>/cobot, the start button, or a direct message: consent notice if needed, else a question.</summary>
public sealed record StartRequested(string TeamId, string UserId, bool FromNudge = false) : SlackWork(TeamId, UserId);

/// <summary>The app's Home or Messages tab was opened (app_home_opened).</summary>
public sealed record HomeOpened(string TeamId, string UserId, string Tab) : SlackWork(TeamId, UserId);

public sealed record ConsentAnswered(string TeamId, string UserId, bool Accepted, string? Channel, string? MessageTs, JsonArray? MessageBlocks)
    : SlackWork(TeamId, UserId);

/// <summary>/cobot données: a link to the web page where the user downloads or erases their data.</summary>
public sealed record DataRequested(string TeamId, string UserId) : SlackWork(TeamId, UserId);

/// <summary>"Effacer mes données" was clicked (after Slack's confirmation dialog) on the data message.</summary>
public sealed record EraseRequested(string TeamId, string UserId, string? Channel, string? MessageTs, JsonArray? MessageBlocks)
    : SlackWork(TeamId, UserId);

public sealed record StopRequested(string TeamId, string UserId, string? Channel, string? MessageTs, JsonArray? MessageBlocks)
    : SlackWork(TeamId, UserId);

/// <summary>A choice button on a question message was clicked.</summary>
public sealed record AnswerClicked(
    string TeamId, string UserId, string Channel, string MessageTs, string ActionTs, string Value, JsonArray? MessageBlocks)
    : SlackWork(TeamId, UserId);

/// <summary>
/// Bounded in-process queues between the HTTP endpoint and <see cref="SlackWorker"/>: one per worker,
/// a user always on the same one, so one user's clicks are handled in order while different users'
/// work runs in parallel.
/// </summary>
public sealed class SlackWorkQueue
{
    private readonly Channel<SlackWork>[] _partitions;

    public SlackWorkQueue(SlackGatewaySettings settings)
    {
        _partitions = [.. Enumerable.Range(0, settings.Workers).Select(_ => Channel.CreateBounded<SlackWork>(
            new BoundedChannelOptions(Math.Max(1, settings.QueueCapacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }))];
    }

    public int Partitions => _partitions.Length;

    /// <summary>False when the worker's queue is full (with FullMode.Wait, TryWrite refuses rather than dropping silently).</summary>
    public bool TryEnqueue(SlackWork work) =>
        _partitions[(int)((uint)StringComparer.Ordinal.GetHashCode(work.SlackUser) % (uint)_partitions.Length)].Writer.TryWrite(work);

    public ChannelReader<SlackWork> Reader(int partition) => _partitions[partition].Reader;
}

/// <summary>Does the queued work: one loop per partition, each item after the previous one of that partition.</summary>
public sealed partial class SlackWorker(SlackWorkQueue queue, CobotConversation conversation, ILogger<SlackWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, queue.Partitions).Select(p => Task.Run(() => RunAsync(queue.Reader(p), stoppingToken), stoppingToken)));

    private async Task RunAsync(ChannelReader<SlackWork> reader, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await conversation.HandleAsync(work, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // one failed piece of work must not stop the worker
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogFailed(ex, work.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack work {Kind} failed")]
    private partial void LogFailed(Exception ex, string kind);
}
