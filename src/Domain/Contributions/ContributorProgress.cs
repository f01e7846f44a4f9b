namespace CoConstruisons.Domain.Contributions;

/// <summary>A contributor's running figures on one project (id = contributor id "|" project id).</summary>
public sealed class ContributorProgress
{
    public required string Id { get; set; }
    public int Answers { get; set; }
    public int AnswersToday { get; set; }
    public DateOnly Day { get; set; }
    public int GoldAnswered { get; set; }
    public int GoldCorrect { get; set; }

    /// <summary>The latest answer (campaigns leave alone someone who already answered today).</summary>
    public DateTimeOffset? LastAnswerAt { get; set; }

    /// <summary>How many of the latest items are remembered in <see cref="RecentItems"/>.</summary>
    public const int RecentLimit = 32;

    /// <summary>
    /// The items this contributor answered or skipped most recently, oldest first (at most
    /// <see cref="RecentLimit"/>): a node whose copy of the open items has not yet seen an answer
    /// given through another node still never offers that item again.
    /// </summary>
    public List<Guid> RecentItems { get; set; } = [];

    /// <summary>Remembers that the contributor answered or skipped <paramref name="itemId"/>.</summary>
    public void Saw(Guid itemId)
    {
        RecentItems.Remove(itemId);
        RecentItems.Add(itemId);
        if (RecentItems.Count > RecentLimit)
        {
            RecentItems.RemoveRange(0, RecentItems.Count - RecentLimit);
        }
    }

    public static string IdFor(string contributorId, Guid projectId) => contributorId + "|" + projectId.ToString("N");

    public void Record(DateTimeOffset at, bool? goldCorrect)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        AnswersToday = day == Day ? AnswersToday + 1 : 1;
        Day = day;
        Answers++;
        if (LastAnswerAt is null || at > LastAnswerAt)
        {
            LastAnswerAt = at;
        }

        if (goldCorrect is { } correct)
        {
            GoldAnswered++;
            GoldCorrect += correct ? 1 : 0;
        }
    }

    public int AnswersOn(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime) == Day ? AnswersToday : 0;
}
