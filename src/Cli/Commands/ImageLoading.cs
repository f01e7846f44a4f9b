using CoConstruisons.Learning;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>Decodes images with a progress bar; unreadable ones are skipped and counted.</summary>
internal static class ImageLoading
{
    public static (ImageRaster?[] Images, List<string> Unreadable) LoadAll(IReadOnlyList<string> paths, string label, CancellationToken cancellationToken)
    {
        var images = new ImageRaster?[paths.Count];
        var unreadable = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var bar = new ProgressBar(StageLabel(label), paths.Count);
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

        Console.Error.WriteLine(Texts.T(
            $"attention : {unreadable.Count} image(s) illisible(s) sur {total} ignorée(s) :",
            $"warning: skipped {unreadable.Count} unreadable image(s) of {total}:"));
        foreach (var message in unreadable.Take(5))
        {
            Console.Error.WriteLine($"  {message}");
        }

        if (unreadable.Count > 5)
        {
            Console.Error.WriteLine(Texts.T($"  … et {unreadable.Count - 5} de plus", $"  … and {unreadable.Count - 5} more"));
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
                bar = p.Stage == "boosting" ? null : new ProgressBar(StageLabel(p.Stage), p.Total);
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

    /// <summary>A progress bar's label for a stage name (the trainer's, or this command line's), in the terminal's language.</summary>
    public static string StageLabel(string stage) => stage switch
    {
        "decoding" => Texts.T("décodage", "decoding"),
        "predicting" => Texts.T("prédiction", "predicting"),
        "features" => Texts.T("caractéristiques", "features"),
        "network" => Texts.T("réseau", "network"),
        _ => stage,
    };

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
