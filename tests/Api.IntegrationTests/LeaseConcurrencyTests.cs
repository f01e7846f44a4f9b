using CoConstruisons.Application.Common;
using CoConstruisons.Domain.Assignment;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class LeaseConcurrencyTests(ApiFixture api)
{
    [Fact]
    public async Task Two_nodes_reserving_the_last_slot_of_an_item_from_the_same_read_cannot_both_succeed()
    {
        var store = api.Services.GetRequiredService<IDocumentStore>();
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await using (var setup = store.LightweightSession())
        {
            setup.Insert(new ItemLease { Id = id });
            await setup.SaveChangesAsync();
        }

        // Both read the lease the way NextTask does (one batched LoadMany), then both take the last slot.
        await using var first = store.LightweightSession();
        await using var second = store.LightweightSession();
        var a = (await first.LoadManyAsync<ItemLease>([id])).Single();
        var b = (await second.LoadManyAsync<ItemLease>([id])).Single();
        Assert.True(a.TryReserve("alice", now, now.AddMinutes(2), maxAnswers: 1, evidence: 0, answered: []));
        Assert.True(b.TryReserve("bob", now, now.AddMinutes(2), maxAnswers: 1, evidence: 0, answered: []));
        first.Store(a);
        second.Store(b);
        await first.SaveChangesAsync();

        var lost = await Assert.ThrowsAnyAsync<Exception>(() => second.SaveChangesAsync());
        Assert.True(ConcurrencyConflicts.IsConflict(lost), lost.ToString());
        await using var check = store.QuerySession();
        Assert.Equal(["alice"], (await check.LoadAsync<ItemLease>(id))!.Holders.Select(h => h.ContributorId));
    }
}
