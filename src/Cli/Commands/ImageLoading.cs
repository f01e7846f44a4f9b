using CoConstruisons.Learning;

namespace CoConstruisons.Cli.Commands;

/// <summary>Decodes images with a progress bar; unreadable ones are skipped and counted.</summary>
internal static class ImageLoading
{
    public static (ImageRaster?[] Images, List<string> Unreadable) LoadAll(IReadOnlyList<string> paths, string label, CancellationToken cancellationToken)
    {
        var images = new ImageRaster?[paths.Count];
        var unreadable = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var bar = new ProgressBar(label, paths.Count);
        var done = 0L;
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                images[i] = ImageRaster.Load(paths[i]);
            }
            catch (UnreadableImageException ex)
            {
                unreadable.Add(ex.Message);
            }

            if (Interlocked.Increment(ref done) % 64 == 0)
            {
                lock (bar)
                {
                    bar.Advance(64);
                }
            }
        });
        bar.Advance(paths.Count % 64);
        return (images, unreadable.Order(StringComparer.Ordinal).ToList());
    }

    public static void ReportUnreadable(IReadOnlyList<string> unreadable, int total)
    {
        if (unreadable.Count == 0)
        {
            return;
        }

        Console.Error.WriteLine($"warning: skipped {unreadable.Count} unreadable image(s) of {total}:");
        foreach (var message in unreadable.Take(5))
        {
            Console.Error.WriteLine($"  {message}");
        }

        if (unreadable.Count > 5)
        {
            Console.Error.WriteLine($"  … and {unreadable.Count - 5} more");
        }
    }

    public static IProgress<(string Stage, int Done, int Total)> TrainingProgress()
    {
        ProgressBar? bar = null;
        string? stage = null;
        var lastDone = 0;
        return new SynchronousProgress(p =>
        {
            if (p.Stage != stage)
            {
                bar?.Dispose();
                stage = p.Stage;
                lastDone = 0;
                bar = p.Stage == "boosting" ? null : new ProgressBar(p.Stage, p.Total);
                if (p.Stage == "boosting")
                {
                    Console.Error.WriteLine("boosting (LightGBM)…");
                }
            }

            bar?.Advance(p.Done - lastDone);
            lastDone = p.Done;
            if (p.Done >= p.Total && bar is not null)
            {
                bar.Dispose();
                bar = null;
            }
        });
    }

    private sealed class SynchronousProgress(Action<(string Stage, int Done, int Total)> report) : IProgress<(string Stage, int Done, int Total)>
    {
        private readonly Lock _lock = new();

        public void Report((string Stage, int Done, int Total) value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
