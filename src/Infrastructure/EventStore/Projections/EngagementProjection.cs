using CoConstruisons.Domain.Campaigns;
using Marten.Events.Aggregation;

namespace CoConstruisons.Infrastructure.EventStore.Projections;

/// <summary>
/// Inline projection of a contributor's engagement stream (consent, stop, nudges) into
/// <see cref="Engagement"/>: nudge rounds read it and append with its version. Rules live in the domain type.
/// </summary>
public sealed partial class EngagementProjection : SingleStreamProjection<Engagement, Guid>
{
    public static void Apply(Engagement engagement, ContributorInvited e) => engagement.Apply(e);

    public static void Apply(Engagement engagement, ConsentRecorded e) => engagement.Apply(e);

    public static void Apply(Engagement engagement, ConsentDeclined e) => engagement.Apply(e);

    public static void Apply(Engagement engagement, ContributorOptedOut e) => engagement.Apply(e);

    public static void Apply(Engagement engagement, NudgeSent e) => engagement.Apply(e);
}
