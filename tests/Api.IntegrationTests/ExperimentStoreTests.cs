using CoConstruisons.Domain.Experiments;
using CoConstruisons.Infrastructure.Experiments;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class ExperimentStoreTests(ApiFixture api)
{
    [Fact]
    public async Task A_researchers_change_of_allocation_is_stored_in_postgresql_with_its_audit_trail_and_serves_variants_at_once()
    {
        var catalog = api.Services.GetRequiredService<ExperimentCatalog>();
        var name = "NudgeTone" + Guid.NewGuid().ToString("N")[..6];
        var definition = new ExperimentDefinition(
            name, ExperimentLever.Tone,
            [new VariantAllocation("neutral", 50), new VariantAllocation("playful", 50)],
            "seed-1", new ExperimentTargeting([], [], ExperimentAudience.All));

        await catalog.DefineAsync(definition, "chercheuse@example.fr");
        await catalog.StartAsync(name, "chercheuse@example.fr");
        await catalog.ChangeAllocationAsync(name, [new VariantAllocation("neutral", 0), new VariantAllocation("playful", 100)], "chercheuse@example.fr");

        var store = new MartenExperimentDefinitionStore(api.Services.GetRequiredService<Marten.IDocumentStore>());
        var trail = await store.EventsAsync(name);
        Assert.Collection(trail,
            e => Assert.IsType<ExperimentDefined>(e),
            e => Assert.IsType<ExperimentStarted>(e),
            e => Assert.Equal(50, Assert.IsType<ExperimentAllocationChanged>(e).OldAllocations.Single(v => v.Name == "neutral").Percent));
        var variant = await catalog.VariantForAsync(name, new ExperimentSubject("c_0123456789abcdef0123456789abcdef", null, "slack", true));
        Assert.Equal("playful", variant);
    }
}
