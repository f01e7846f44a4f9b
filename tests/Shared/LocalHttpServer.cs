using System.Net;
using SkiaSharp;

namespace CoConstruisons.Tests.Shared;

/// <summary>What the local server answers for a path: status, body, content type, and a delay before answering.</summary>
public sealed record LocalResponse(int Status, byte[] Body, string ContentType = "image/png", TimeSpan Delay = default);

/// <summary>An HttpListener on a free loopback port (<see cref="LoopbackPorts"/>), answering with <c>route(path)</c>; counts requests.</summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, LocalResponse> _route;
    private readonly CancellationTokenSource _stop = new();
    private int _requests;

    public LocalHttpServer(Func<string, LocalResponse> route)
    {
        _route = route;
        for (var attempt = 0; ; attempt++)
        {
            var port = LoopbackPorts.Free();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                BaseUrl = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _ = Task.Run(LoopAsync);
    }

    public string BaseUrl { get; } = "";

    public int Requests => _requests;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                Interlocked.Increment(ref _requests);
                try
                {
                    var answer = _route(context.Request.Url!.AbsolutePath);
                    if (answer.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(answer.Delay, _stop.Token);
                    }

                    context.Response.StatusCode = answer.Status;
                    context.Response.ContentType = answer.ContentType;
                    context.Response.ContentLength64 = answer.Body.Length;
                    await context.Response.OutputStream.WriteAsync(answer.Body, _stop.Token);
                    context.Response.Close();
                }
                catch (Exception)
                {
                    try
                    {
                        context.Response.Abort();
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    public static byte[] Png(int width, int height, SKColor color)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color);
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }
}
