using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoConstruisons.Gateways.Slack;

/// <summary>One piece of accepted work and its number in the <see cref="WorkJournal"/>.</summary>
public sealed record JournaledWork(long Id, SlackWork Work);

/// <summary>
/// Work that Slack was told was received survives a crash of the gateway: each item is written to
/// <c>work.jsonl</c> in the data folder and flushed to disk before Slack gets its answer, and its
/// completion is written after it is done. On start the items not done are queued again, in their
/// order (an answer's idempotency key makes a repeat harmless on the platform). The file is emptied
/// whenever no work is waiting, so it holds Slack user ids only while their work waits.
/// </summary>
public sealed partial class WorkJournal : IDisposable
{
    public const string FileName = "work.jsonl";

    private readonly Lock _gate = new();
    private readonly FileStream _file;
    private long _next;
    private int _open;

    public WorkJournal(SlackGatewaySettings settings, ILogger<WorkJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.DataDirectory);
        var path = Path.Combine(settings.DataDirectory, FileName);
        var pending = new SortedDictionary<long, SlackWork>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    var entry = JsonNode.Parse(line) as JsonObject;
                    if (entry?["done"] is { } done)
                    {
                        pending.Remove(done.GetValue<long>());
                    }
                    else if (entry?["n"] is { } n && entry["work"]?.Deserialize<SlackWork>() is { } work)
                    {
                        pending[n.GetValue<long>()] = work;
                    }
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException)
                {
                    // A line cut short by a crash while it was written (its request was never answered, so Slack sent it again).
                    LogUnreadableLine(logger, line.Length);
                }
            }
        }

        Recovered = [.. pending.Select(p => new JournaledWork(p.Key, p.Value))];
        _next = pending.Count == 0 ? 1 : pending.Keys.Max() + 1;
        _open = pending.Count;

        // Start from a file that holds the waiting items only.
        _file = JsonLines.Replace(path, Recovered.Select(w => AddedLine(w.Id, w.Work)));
        if (Recovered.Count > 0)
        {
            LogRecovered(logger, Recovered.Count);
        }
    }

    /// <summary>The work that was accepted and not done when the gateway last stopped, oldest first.</summary>
    public IReadOnlyList<JournaledWork> Recovered { get; }

    /// <summary>Records accepted work on disk (flushed) and numbers it.</summary>
    public JournaledWork Add(SlackWork work)
    {
        lock (_gate)
        {
            var item = new JournaledWork(_next++, work);
            Write(AddedLine(item.Id, work));
            _open++;
            return item;
        }
    }

    /// <summary>Records that the work is done (or will not be done: refused, failed for good).</summary>
    public void Done(long id)
    {
        lock (_gate)
        {
            _open--;
            if (_open <= 0)
            {
                _open = 0;
                _file.SetLength(0);
                _file.Flush(flushToDisk: true);
                return;
            }

            Write(new JsonObject { ["done"] = id }.ToJsonString());
        }
    }

    public void Dispose() => _file.Dispose();

    private void Write(string line) => JsonLines.Append(_file, line);

    private static string AddedLine(long id, SlackWork work) =>
        new JsonObject { ["n"] = id, ["work"] = JsonSerializer.SerializeToNode(work) }.ToJsonString();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped an unreadable line of the work journal ({Length} characters)")]
    private static partial void LogUnreadableLine(ILogger logger, int length);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} piece(s) of Slack work accepted before the last stop will be done now")]
    private static partial void LogRecovered(ILogger logger, int count);
}

/// <summary>
/// The Events API <c>event_id</c>s already taken, kept for an hour in <c>events.jsonl</c> (ids and times
/// only), so that a retry Slack sends after a restart is not done twice.
/// </summary>
public sealed class SeenEvents : IDisposable
{
    public const string FileName = "events.jsonl";
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly string _path;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private FileStream _file;

    public SeenEvents(SlackGatewaySettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _clock = clock;
        Directory.CreateDirectory(settings.DataDirectory);
        _path = Path.Combine(settings.DataDirectory, FileName);
        var now = clock.GetUtcNow();
        if (File.Exists(_path))
        {
            foreach (var line in File.ReadLines(_path))
            {
                try
                {
                    if (JsonNode.Parse(line) is JsonObject { } entry && entry["id"]?.ToString() is { Length: > 0 } id
                        && entry["at"] is { } ms && DateTimeOffset.FromUnixTimeMilliseconds(ms.GetValue<long>()) is var at && now - at < Memory)
                    {
                        _seen[id] = at;
                    }
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
                {
                    // A line cut short by a crash: that event was not answered, Slack sends it again.
                }
            }
        }

        _file = Rewrite();
    }

    /// <summary>
    /// Reserves <paramref name="eventId"/> in memory: true the first time (within an hour). The caller
    /// <see cref="Keep"/>s it once its work is safely accepted, or <see cref="Forget"/>s it.
    /// </summary>
    public bool TryReserve(string eventId)
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (_seen.TryGetValue(eventId, out var at) && now - at < Memory)
            {
                return false;
            }

            _seen[eventId] = now;
            return true;
        }
    }

    /// <summary>Writes a reserved event id to disk (flushed), so a restart still knows it.</summary>
    public void Keep(string eventId)
    {
        lock (_gate)
        {
            if (!_seen.TryGetValue(eventId, out var at))
            {
                return;
            }

            if (_seen.Count > 10_000)
            {
                var now = _clock.GetUtcNow();
                foreach (var old in _seen.Where(p => now - p.Value >= Memory).Select(p => p.Key).ToList())
                {
                    _seen.Remove(old);
                }

                _file.Dispose();
                _file = Rewrite();
                return;
            }

            JsonLines.Append(_file, Line(eventId, at));
        }
    }

    /// <summary>Lets a reserved event id go (its work was refused), so Slack's retry is taken.</summary>
    public void Forget(string eventId)
    {
        lock (_gate)
        {
            _seen.Remove(eventId);
        }
    }

    public void Dispose() => _file.Dispose();

    private FileStream Rewrite() => JsonLines.Replace(_path, _seen.Select(p => Line(p.Key, p.Value)));

    private static string Line(string id, DateTimeOffset at) =>
        new JsonObject { ["id"] = id, ["at"] = at.ToUnixTimeMilliseconds() }.ToJsonString();
}

/// <summary>The two journals' file handling: one JSON object a line, every write flushed to disk.</summary>
internal static class JsonLines
{
    /// <summary>
    /// Replaces the file atomically with <paramref name="lines"/> (written and flushed to disk under a
    /// temporary name, then renamed over it, so a crash leaves the old file or the new one, never a
    /// half-written one) and opens it for appending.
    /// </summary>
    public static FileStream Replace(string path, IEnumerable<string> lines)
    {
        var fresh = path + ".new";
        using (var temporary = new FileStream(fresh, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            temporary.Write(new UTF8Encoding(false).GetBytes(string.Concat(lines.Select(l => l + "\n"))));
            temporary.Flush(flushToDisk: true);
        }

        File.Move(fresh, path, overwrite: true);
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    public static void Append(FileStream file, string line)
    {
        file.Write(Encoding.UTF8.GetBytes(line + "\n"));
        file.Flush(flushToDisk: true);
    }
}
