using CoConstruisons.Domain.Projects;

namespace CoConstruisons.Application.Tasks;

/// <summary>Payload of a reservation token: this item is being shown to this contributor until then.</summary>
public sealed record Reservation(Guid ProjectId, Guid ItemId, string ContributorId, DateTimeOffset ReservedUntil);

/// <summary>A contributor's own figures on a project.</summary>
public sealed record ContributorStats(int Answers, int AnswersToday, int ItemsRemaining);

/// <summary>One item offered to one contributor.</summary>
public sealed record OfferedTask(Guid ItemId, Project Project, string ReservationToken, DateTimeOffset ReservedUntil);

public sealed record NextTaskResult(OfferedTask? Task, ContributorStats Stats, TimeSpan RetryAfter = default);

/// <summary>An acknowledged answer; <paramref name="Next"/> is the contributor's next task when it was asked for with the answer.</summary>
public sealed record SubmitAnswerResult(Guid AnswerId, bool Duplicate, string Feedback, ContributorStats Stats, NextTaskResult? Next = null);

/// <summary>Lifetimes of reservations: short for assignment, with grace so a slow contributor's answer still counts.</summary>
public static class ReservationTimes
{
    public static readonly TimeSpan Hold = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);
}
