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
/// </summary>
public sealed class GroupQueue<TRequest, TResult> : IAsyncDisposable
    where TRequest : GroupedRequest<TResult>
{
    private readonly Channel<TRequest> _queue = Channel.CreateUnbounded<TRequest>(new() { SingleReader = true });
    private readonly int _maxGroup;
    private readonly Func<List<TRequest>, Task> _serve;
    private readonly Task _loop;

    public GroupQueue(int maxGroup, Func<List<TRequest>, Task> serve)
    {
        _maxGroup = maxGroup;
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
        while (waiting.Count > 0 || await _queue.Reader.WaitToReadAsync())
        {
            while (_queue.Reader.TryRead(out var more))
            {
                waiting.Add(more);
            }

            var group = new List<TRequest>();
            var taken = new HashSet<string>(StringComparer.Ordinal);
            var later = new List<TRequest>();
            foreach (var request in waiting)
            {
                var keys = request.ExclusiveKeys.ToList();
                if (group.Count < _maxGroup && !keys.Any(taken.Contains))
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
            await ServeAsync(group);
        }
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
