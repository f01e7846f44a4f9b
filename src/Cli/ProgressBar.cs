using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli;

/// <summary>A text progress bar on standard error (so standard output stays clean for JSON and CSV); callers give a label in the terminal's language.</summary>
public sealed class ProgressBar(string label, long total) : IDisposable
{
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
    private long _done;
    private long _lastDrawTicks = -1;
    private long _lastDrawn = -1;

    public void Advance(long by = 1)
    {
        _done += by;
        var now = _watch.ElapsedMilliseconds;
        if (_done >= total || now - _lastDrawTicks >= 200)
        {
            _lastDrawTicks = now;
            Draw();
        }
    }

    private void Draw()
    {
        // Into a file or a pipe: one line, once, when the work is done (no carriage-return frames).
        if (Console.IsErrorRedirected && (_done < total || _lastDrawn == _done))
        {
            return;
        }

        _lastDrawn = _done;

        var fraction = total <= 0 ? 1 : Math.Min(1.0, (double)_done / total);
        const int width = 30;
        var filled = (int)(fraction * width);
        var rate = _done / Math.Max(0.001, _watch.Elapsed.TotalSeconds);
        var eta = rate > 0 && total > _done ? TimeSpan.FromSeconds((total - _done) / rate) : TimeSpan.Zero;
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {_done:N0}/{total:N0} {fraction:P0} {rate:N0}/s {Remaining} {eta:mm\\:ss}  ");
    }

    private static string Remaining => Texts.T("reste", "ETA");

    public void Dispose()
    {
        Draw();
        Console.Error.WriteLine();
    }
}
