using CoConstruisons.Application.Common;

namespace CoConstruisons.Application.UnitTests;

/// <summary>
/// The group-commit queue behind the answer writer and the task dispenser: with two groups in
/// flight, a new group starts while another is still being served, but never with a request that
/// shares a key (an item, a contributor) with a request still in flight.
/// </summary>
public class GroupQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private sealed class Request(string name, params string[] keys) : GroupedRequest<string>
    {
        public string Name { get; } = name;

        public override IEnumerable<string> ExclusiveKeys => keys;
    }

    /// <summary>Serves each group when the test releases it; records which groups were started.</summary>
    private sealed class Server
    {
        private readonly Lock _gate = new();
        private readonly List<(List<Request> Group, TaskCompletionSource Release)> _started = [];
        private readonly SemaphoreSlim _startedSignal = new(0);

        public async Task Serve(List<Request> group)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _started.Add((group, release));
            }

            _startedSignal.Release();
            await release.Task;
            foreach (var r in group)
            {
                r.Done.TrySetResult(r.Name);
            }
        }

        public async Task<List<Request>> NextStarted()
        {
            Assert.True(await _startedSignal.WaitAsync(Timeout), "no group was started");
            lock (_gate)
            {
                return _started[^1].Group;
            }
        }

        public async Task<bool> AnotherStartsWithin(TimeSpan wait) => await _startedSignal.WaitAsync(wait);

        public void Release(List<Request> group)
        {
            lock (_gate)
            {
                _started.Single(s => ReferenceEquals(s.Group, group)).Release.SetResult();
            }
        }

        /// <summary>Lets every group finish (so a failed test still disposes its queue).</summary>
        public void ReleaseAll()
        {
            lock (_gate)
            {
                foreach (var (_, release) in _started)
                {
                    release.TrySetResult();
                }
            }
        }
    }

    /// <summary>Runs <paramref name="test"/> on a fresh queue, then lets every group finish and disposes the queue.</summary>
    private static async Task WithQueue(int maxInFlight, Func<Server, GroupQueue<Request, string>, Task> test)
    {
        var server = new Server();
        var queue = new GroupQueue<Request, string>(64, server.Serve, maxInFlight);
        try
        {
            await test(server, queue);
        }
        finally
        {
            // Groups started after a failed assertion are released too.
            using var stop = new CancellationTokenSource(Timeout);
            var disposed = queue.DisposeAsync().AsTask();
            while (!disposed.IsCompleted && !stop.IsCancellationRequested)
            {
                server.ReleaseAll();
                await Task.WhenAny(disposed, Task.Delay(20));
            }
        }
    }

    [Fact]
    public Task With_two_in_flight_a_second_group_is_served_while_the_first_is_still_being_committed() => WithQueue(2, async (server, queue) =>
    {
        var a = queue.SendAsync(new Request("a", "item:1", "contributor:alice"), CancellationToken.None);
        var first = await server.NextStarted();
        var b = queue.SendAsync(new Request("b", "item:2", "contributor:bob"), CancellationToken.None);
        var second = await server.NextStarted();

        Assert.Equal(["a"], first.Select(r => r.Name));
        Assert.Equal(["b"], second.Select(r => r.Name));
        server.Release(second);
        Assert.Equal("b", await b.WaitAsync(Timeout));
        Assert.False(a.IsCompleted);
        server.Release(first);
        Assert.Equal("a", await a.WaitAsync(Timeout));
    });

    [Fact]
    public Task A_request_sharing_a_key_with_a_group_in_flight_waits_for_that_group() => WithQueue(2, async (server, queue) =>
    {
        var a = queue.SendAsync(new Request("a", "item:1", "contributor:alice"), CancellationToken.None);
        var first = await server.NextStarted();
        // Same item as a, then a request free of a's keys queued after it.
        var sameItem = queue.SendAsync(new Request("same item", "item:1", "contributor:bob"), CancellationToken.None);
        var free = queue.SendAsync(new Request("free", "item:2", "contributor:carol"), CancellationToken.None);
        var second = await server.NextStarted();

        Assert.Equal(["free"], second.Select(r => r.Name));
        Assert.False(await server.AnotherStartsWithin(TimeSpan.FromMilliseconds(200)), "a group was started beside two in flight");
        server.Release(second);
        Assert.Equal("free", await free.WaitAsync(Timeout));
        Assert.False(await server.AnotherStartsWithin(TimeSpan.FromMilliseconds(200)), "the request on item 1 was served while a was in flight");
        Assert.False(sameItem.IsCompleted);

        server.Release(first);
        Assert.Equal("a", await a.WaitAsync(Timeout));
        var third = await server.NextStarted();
        Assert.Equal(["same item"], third.Select(r => r.Name));
        server.Release(third);
        Assert.Equal("same item", await sameItem.WaitAsync(Timeout));
    });

    [Fact]
    public Task With_one_in_flight_the_next_group_waits_for_the_first_and_takes_everything_that_arrived() => WithQueue(1, async (server, queue) =>
    {
        var a = queue.SendAsync(new Request("a", "item:1"), CancellationToken.None);
        var first = await server.NextStarted();
        var b = queue.SendAsync(new Request("b", "item:2"), CancellationToken.None);
        var c = queue.SendAsync(new Request("c", "item:3"), CancellationToken.None);

        Assert.False(await server.AnotherStartsWithin(TimeSpan.FromMilliseconds(200)), "a second group started while one was in flight");
        server.Release(first);
        await a.WaitAsync(Timeout);
        var second = await server.NextStarted();
        Assert.Equal(["b", "c"], second.Select(r => r.Name));
        server.Release(second);
        Assert.Equal(["b", "c"], await Task.WhenAll(b, c).WaitAsync(Timeout));
    });

    [Fact]
    public async Task Disposing_serves_what_is_queued_then_refuses_new_requests()
    {
        var server = new Server();
        var queue = new GroupQueue<Request, string>(64, server.Serve, maxInFlight: 2);
        var a = queue.SendAsync(new Request("a", "item:1"), CancellationToken.None);
        var first = await server.NextStarted();

        var disposed = queue.DisposeAsync().AsTask();
        server.Release(first);
        await disposed.WaitAsync(Timeout);

        Assert.Equal("a", await a);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queue.SendAsync(new Request("late", "item:9"), CancellationToken.None));
    }
}
