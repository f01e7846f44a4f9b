using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Models;
using Marten.Events.Aggregation;

namespace CoConstruisons.Infrastructure.EventStore.Projections;

/// <summary>
/// Inline projection of an item's stream into <see cref="ItemProgress"/> (same transaction as the
/// answer, so the next answer's checks and the nodes' candidate copies see it). The rules live in the domain type; this class
/// only tells Marten's source generator which events build it.
/// </summary>
public sealed partial class ItemProgressProjection : SingleStreamProjection<ItemProgress, Guid>
{
    public static ItemProgress Create(ItemAdded added) => ItemProgress.Create(added);

    public static void Apply(ItemProgress progress, AnswerSubmitted answer) => progress.Apply(answer);

    public static void Apply(ItemProgress progress, AnswerSkipped skipped) => progress.Apply(skipped);

    public static void Apply(ItemProgress progress, GoldAnswerSet gold) => progress.Apply(gold);

    public static void Apply(ItemProgress progress, ItemRetired retired) => progress.Apply(retired);

    public static void Apply(ItemProgress progress, ItemBeliefUpdated belief) => progress.Apply(belief);

    public static void Apply(ItemProgress progress, ItemPredicted prediction) => progress.Apply(prediction);

    public static void Apply(ItemProgress progress, ItemMachineLabelled labelled) => progress.Apply(labelled);
}
