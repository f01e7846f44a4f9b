using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Threading.Channels;

namespace CoConstruisons.Gateways.Slack;

/// <summary>
/// Work accepted from Slack and done after the 200 is sent (Slack wants an answer within 3 seconds).
/// Written to the <see cref="WorkJournal"/> as JSON, its kind named by "kind".
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(StartRequested), "start")]
[JsonDerivedType(typeof(HomeOpened), "home")]
[JsonDerivedType(typeof(ConsentAnswered), "consent")]
[JsonDerivedType(typeof(DataRequested), "data")]
[JsonDerivedType(typeof(EraseRequested), "erase")]
[JsonDerivedType(typeof(StopRequested), "stop")]
[JsonDerivedType(typeof(AnswerClicked), "answer")]
public abstract record SlackWork(string TeamId, string UserId)
{
    /// <summary>The platform's name for this user: "team:user".</summary>
    [JsonIgnore]
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
/// work runs in parallel. What goes in is first written to the <see cref="WorkJournal"/>; what the
/// journal recovered at start goes in first.
/// </summary>
public sealed class SlackWorkQueue
{
    private readonly Channel<JournaledWork>[] _partitions;
    private readonly WorkJournal _journal;

    public SlackWorkQueue(SlackGatewaySettings settings, WorkJournal journal)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(journal);
        _journal = journal;
        var capacity = Math.Max(Math.Max(1, settings.QueueCapacity), journal.Recovered.Count);
        _partitions = [.. Enumerable.Range(0, settings.Workers).Select(_ => Channel.CreateBounded<JournaledWork>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }))];
        foreach (var item in journal.Recovered)
        {
            _ = PartitionOf(item.Work).Writer.TryWrite(item); // fits: the capacity is at least their number
        }
    }

    public int Partitions => _partitions.Length;

    /// <summary>
    /// Writes the work to the journal, then queues it; false when the worker's queue is full (with
    /// FullMode.Wait, TryWrite refuses rather than dropping silently), and then the journal forgets it.
    /// </summary>
    public bool TryEnqueue(SlackWork work)
    {
        var item = _journal.Add(work);
        if (PartitionOf(work).Writer.TryWrite(item))
        {
            return true;
        }

        _journal.Done(item.Id);
        return false;
    }

    /// <summary>The work is over (done, or failed and logged): it is not done again after a restart.</summary>
    public void Done(JournaledWork item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _journal.Done(item.Id);
    }

    public ChannelReader<JournaledWork> Reader(int partition) => _partitions[partition].Reader;

    private Channel<JournaledWork> PartitionOf(SlackWork work) =>
        _partitions[(int)((uint)StringComparer.Ordinal.GetHashCode(work.SlackUser) % (uint)_partitions.Length)];
}

/// <summary>Does the queued work: one loop per partition, each item after the previous one of that partition.</summary>
public sealed partial class SlackWorker(SlackWorkQueue queue, CobotConversation conversation, ILogger<SlackWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, queue.Partitions).Select(p => Task.Run(() => RunAsync(queue.Reader(p), stoppingToken), stoppingToken)));

    private async Task RunAsync(ChannelReader<JournaledWork> reader, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await conversation.HandleAsync(item.Work, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return; // stopping: left in the journal, done after the restart
                }
#pragma warning disable CA1031 // one failed piece of work must not stop the worker
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogFailed(ex, item.Work.GetType().Name);
                }

                queue.Done(item);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack work {Kind} failed")]
    private partial void LogFailed(Exception ex, string kind);
}
