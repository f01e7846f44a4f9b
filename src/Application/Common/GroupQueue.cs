using System.Threading.Channels;

namespace CoConstruisons.Application.Common;

/// <summary>A request served by a <see cref="GroupQueue{TRequest,TResult}"/>: its result, and what it must not share a group with.</summary>
public abstract class GroupedRequest<TResult>
{
    /// <summary>Completed by the serving code once the request's effects are committed (or with its refusal).</summary>
    public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Two requests with a key in common never share a group (the second waits for the next one).</summary>
    public abstract IEnumerable<string> ExclusiveKeys { get; }
}

/// <summary>
/// Requests served in groups by one loop (group commit, docs/assignment.md): the requests that
/// arrive while a group is being served form the next group, up to <c>maxGroup</c>. The serving
/// function reads and writes a whole group at once and completes each request only after its
/// commit; if it throws for a group of several, each request is served again alone (a concurrency
/// conflict is retried on fresh state a few times), so one request never fails because of another.
/// With <c>maxInFlight</c> above 1, a new group may start while earlier ones are still being served
/// (its reads overlap their commits), but never with a request that shares a key with a request of
/// a group still in flight: such a request waits for that group to finish.
/// </summary>
public sealed class GroupQueue<TRequest, TResult> : IAsyncDisposable
    where TRequest : GroupedRequest<TResult>
{
    private readonly Channel<TRequest> _queue = Channel.CreateUnbounded<TRequest>(new() { SingleReader = true });
    private readonly int _maxGroup;
    private readonly int _maxInFlight;
    private readonly Func<List<TRequest>, Task> _serve;
    private readonly Task _loop;

    public GroupQueue(int maxGroup, Func<List<TRequest>, Task> serve, int maxInFlight = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _maxGroup = maxGroup;
        _maxInFlight = maxInFlight;
        _serve = serve;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues the request and waits for its result. A caller that gives up does not withdraw it.</summary>
    public async Task<TResult> SendAsync(TRequest request, CancellationToken ct)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(typeof(TRequest).Name);
        }

        return await request.Done.Task.WaitAsync(ct);
    }

    /// <summary>Serves what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var waiting = new List<TRequest>();
        var inFlight = new List<(Task Served, HashSet<string> Keys)>();
        // The keys of the requests in the groups being served.
        var held = new HashSet<string>(StringComparer.Ordinal);
        Task<bool>? more = null;
        var open = true;
        while (true)
        {
            while (_queue.Reader.TryRead(out var request))
            {
                waiting.Add(request);
            }

            while (inFlight.Count < _maxInFlight && waiting.Count > 0)
            {
                var (group, keys) = NextGroup(ref waiting, held);
                if (group.Count == 0)
                {
                    break; // every waiting request shares a key with a group in flight
                }

                held.UnionWith(keys);
                inFlight.Add((ServeAsync(group), keys));
            }

            if (!open && inFlight.Count == 0 && waiting.Count == 0)
            {
                return;
            }

            if (open && more is null && inFlight.Count < _maxInFlight)
            {
                more = _queue.Reader.WaitToReadAsync().AsTask();
            }

            if (inFlight.Count == 0)
            {
                open = await more!;
                more = null;
                continue;
            }

            var done = more is null
                ? await Task.WhenAny(inFlight.Select(f => f.Served))
                : await Task.WhenAny(inFlight.Select(f => f.Served).Append(more));
            if (done == more)
            {
                open = await more;
                more = null;
            }

            for (var i = inFlight.Count - 1; i >= 0; i--)
            {
                if (inFlight[i].Served.IsCompleted)
                {
                    held.ExceptWith(inFlight[i].Keys);
                    inFlight.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The next group, in arrival order: at most one request per key, none with a key held by a group in flight.</summary>
    private (List<TRequest> Group, HashSet<string> Keys) NextGroup(ref List<TRequest> waiting, HashSet<string> held)
    {
        var group = new List<TRequest>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var later = new List<TRequest>();
        foreach (var request in waiting)
        {
            var keys = request.ExclusiveKeys.ToList();
            if (group.Count < _maxGroup && !keys.Any(k => taken.Contains(k) || held.Contains(k)))
            {
                taken.UnionWith(keys);
                group.Add(request);
            }
            else
            {
                later.Add(request);
            }
        }

        waiting = later;
        return (group, taken);
    }

    private async Task ServeAsync(List<TRequest> group)
    {
        if (group.Count > 1)
        {
            try
            {
                await _serve(group);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Fall through: serve each request alone, on fresh state.
            }
        }

        foreach (var request in group)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await _serve([request]);
                    break;
                }
                catch (Exception ex) when (attempt < 5 && ConcurrencyConflicts.IsConflict(ex))
                {
                    // Another writer (another node, or the same retry) committed first: serve again on fresh state.
                    await Task.Delay(Random.Shared.Next(1, 10) * (attempt + 1));
                }
                catch (Exception ex)
                {
                    request.Done.TrySetException(ex);
                    break;
                }
            }
        }
    }
}
