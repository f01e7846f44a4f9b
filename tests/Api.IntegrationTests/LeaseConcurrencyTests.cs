using CoConstruisons.Application.Common;
using CoConstruisons.Domain.Assignment;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>
/// The task dispenser reads the leases of a whole group in one batched query and saves the changed
/// ones in one transaction; that only keeps two nodes within an item's cap if a lease read that way
/// is still version-checked when it is saved.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class LeaseConcurrencyTests(ApiFixture api)
{
    [Fact]
    public async Task A_lease_read_in_a_batch_and_changed_meanwhile_by_another_node_is_not_overwritten()
    {
        var store = api.Services.GetRequiredService<IDocumentStore>();
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await using (var setup = store.LightweightSession())
        {
            setup.Insert(new ItemLease { Id = id });
            await setup.SaveChangesAsync();
        }

        await using var first = store.LightweightSession();
        var batch = first.CreateBatchQuery();
        var read = batch.LoadMany<ItemLease>().ById(id);
        await batch.Execute();
        var lease = (await read).Single();

        // Meanwhile another node reserves the item.
        await using (var other = store.LightweightSession())
        {
            var theirs = await other.LoadAsync<ItemLease>(id);
            Assert.True(theirs!.TryReserve("someone-else", now, now.AddMinutes(2), maxAnswers: 1, evidence: 0, answered: [], abstained: []));
            other.Store(theirs);
            await other.SaveChangesAsync();
        }

        Assert.True(lease.TryReserve("me", now, now.AddMinutes(2), maxAnswers: 1, evidence: 0, answered: [], abstained: []));
        first.Store(lease);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => first.SaveChangesAsync());
        Assert.True(ConcurrencyConflicts.IsConflict(error), error.ToString());

        await using var check = store.QuerySession();
        var stored = await check.LoadAsync<ItemLease>(id);
        Assert.Equal(["someone-else"], stored!.Holders.Select(h => h.ContributorId));
    }
}
