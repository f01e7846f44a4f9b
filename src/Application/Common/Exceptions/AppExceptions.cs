namespace CoConstruisons.Application.Common.Exceptions;

/// <summary>The thing asked for does not exist, or the caller may not know it exists.</summary>
public sealed class NotFoundException(string message) : Exception(message)
{
    public static NotFoundException Project(Guid id) => new(Texts.T($"Projet « {id} » introuvable.", $"Project '{id}' was not found."));

    public static NotFoundException Item(Guid id) => new(Texts.T($"Image « {id} » introuvable.", $"Item '{id}' was not found."));
}

/// <summary>The caller did not prove who they are (missing, forged or expired credentials).</summary>
public sealed class UnauthenticatedException(string message) : Exception(message);

/// <summary>The caller is known but may not do this.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>A business rule refuses the request in the current state (e.g. the image was already answered).</summary>
public sealed class RuleViolationException(string message) : Exception(message);

/// <summary>Too many requests; retry after the given delay.</summary>
public sealed class RateLimitedException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
