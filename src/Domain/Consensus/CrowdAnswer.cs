namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// One answer as the consensus engine sees it: strings at the edges (item key, contributor id,
/// choice key), optionally the channel it came through (Slack, web, CAPTCHA…) so a channel prior
/// can apply to contributors the engine knows little about.
/// </summary>
public sealed record CrowdAnswer(string Item, string Worker, string Label, string? Channel = null);
