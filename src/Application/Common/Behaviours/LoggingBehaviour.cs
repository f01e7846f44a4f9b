using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Logging;

namespace CoConstruisons.Application.Common.Behaviours;

/// <summary>Logs unexpected failures (then rethrows) and requests slower than half a second.</summary>
public sealed partial class LoggingBehaviour<TMessage, TResponse>(ILogger<LoggingBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await next(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not FluentValidation.ValidationException and not OperationCanceledException
                                       and not Exceptions.NotFoundException and not Exceptions.UnauthenticatedException
                                       and not Exceptions.ForbiddenException and not Exceptions.RuleViolationException
                                       and not Exceptions.RateLimitedException)
        {
            LogFailure(logger, ex, typeof(TMessage).Name);
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > TimeSpan.FromMilliseconds(500))
            {
                LogSlow(logger, typeof(TMessage).Name, (long)elapsed.TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Request {Request} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string request);

    [LoggerMessage(LogLevel.Warning, "Request {Request} took {ElapsedMs} ms")]
    private static partial void LogSlow(ILogger logger, string request, long elapsedMs);
}
