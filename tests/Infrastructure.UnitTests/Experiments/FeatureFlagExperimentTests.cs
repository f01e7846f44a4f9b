using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Domain.Experiments;
using CoConstruisons.Infrastructure.Experiments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FeatureManagement;

namespace CoConstruisons.Infrastructure.UnitTests.Experiments;

public class FeatureFlagExperimentTests
{
    // A researcher's flag deployed in appsettings.json (Microsoft feature_management schema).
    private const string AppSettings = """
    {
      "feature_management": {
        "feature_flags": [
          {
            "id": "QuestionMode",
            "enabled": true,
            "variants": [
              { "name": "single", "configuration_value": "single" },
              { "name": "series_of_five", "configuration_value": "series_of_five" }
            ],
            "allocation": {
              "percentile": [
                { "variant": "single", "from": 0, "to": 50 },
                { "variant": "series_of_five", "from": 50, "to": 100 }
              ],
              "seed": "question-mode-2025"
            }
          },
          {
            "id": "NudgeFrequency",
            "enabled": true,
            "variants": [ { "name": "weekly" }, { "name": "daily" } ],
            "allocation": { "percentile": [ { "variant": "weekly", "from": 0, "to": 100 } ], "seed": "f" }
          }
        ]
      }
    }
    """;

    private static readonly CancellationToken None = CancellationToken.None;

    private static string Pseudonym(int i) =>
        "c_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("contributor-" + i)))[..32];

    private static ExperimentDefinition Tone(ExperimentStatus status = ExperimentStatus.Running) => new(
        "NudgeTone",
        ExperimentLever.Tone,
        [new VariantAllocation("neutral", 34), new VariantAllocation("playful", 33), new VariantAllocation("impact", 33)],
        "tone-2025",
        ExperimentTargeting.Everyone,
        status);

    /// <summary>One application node: its own configuration, service provider and store.</summary>
    private static ServiceProvider Node(IExperimentDefinitionStore? store = null)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(AppSettings))).Build();
        var services = new ServiceCollection();
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        services.AddExperiments(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task<string?> VariantAsync(IServiceProvider node, string feature, ExperimentSubject subject) =>
        await node.GetRequiredService<ExperimentCatalog>().VariantForAsync(feature, subject, None);

    private static ExperimentSubject Subject(int i, string? project = "p1", string? channel = "slack", bool isNew = true) =>
        new(Pseudonym(i), project, channel, isNew);

    [Fact]
    public async Task FeatureManagement_and_the_domain_allocator_agree_on_10000_pseudonyms_for_a_stored_experiment()
    {
        await using var node = Node();
        var definition = Tone();
        await node.GetRequiredService<IExperimentDefinitionStore>().SaveAsync(definition, [], None);
        var features = node.GetRequiredService<IVariantFeatureManager>();

        for (var i = 0; i < 10_000; i++)
        {
            var subject = Subject(i);
            var variant = await features.GetVariantAsync("NudgeTone", ExperimentFeatureFlags.TargetingContextFor(subject), None);
            Assert.Equal(ExperimentAllocator.Allocate(definition, subject.ContributorId), variant?.Name);
        }
    }

    [Fact]
    public async Task A_flag_defined_in_configuration_is_served_by_FeatureManagement_with_the_same_hash()
    {
        await using var node = Node();
        var ranges = ExperimentAllocator.Ranges([new VariantAllocation("single", 50), new VariantAllocation("series_of_five", 50)]);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 2_000; i++)
        {
            var subject = Subject(i);
            var variant = await VariantAsync(node, "QuestionMode", subject);
            Assert.NotNull(variant);
            Assert.Equal(ExperimentAllocator.VariantAt(ranges, ExperimentAllocator.Percentile(subject.ContributorId, "question-mode-2025")), variant);
            counts[variant] = counts.GetValueOrDefault(variant) + 1;
        }

        Assert.InRange(counts["single"], 900, 1100);
    }

    [Fact]
    public async Task A_contributor_keeps_the_same_variant_across_two_separately_built_nodes()
    {
        // Two nodes (or one node before and after a restart): separate containers, separate
        // FeatureManager instances, the same definitions (as when they share PostgreSQL).
        var storeA = new InMemoryExperimentDefinitionStore();
        var storeB = new InMemoryExperimentDefinitionStore();
        await storeA.SaveAsync(Tone(), [], None);
        await storeB.SaveAsync(Tone(), [], None);
        await using var nodeA = Node(storeA);
        await using var nodeB = Node(storeB);

        for (var i = 0; i < 500; i++)
        {
            var subject = Subject(i);
            Assert.Equal(await VariantAsync(nodeA, "NudgeTone", subject), await VariantAsync(nodeB, "NudgeTone", subject));
            Assert.Equal(await VariantAsync(nodeA, "QuestionMode", subject), await VariantAsync(nodeB, "QuestionMode", subject));
        }
    }

    [Fact]
    public async Task Targeting_by_project_channel_and_audience_combines_with_and()
    {
        await using var node = Node();
        var definition = Tone() with { Targeting = new ExperimentTargeting(["p1", "p2"], ["slack"], ExperimentAudience.New) };
        await node.GetRequiredService<IExperimentDefinitionStore>().SaveAsync(definition, [], None);

        Assert.NotNull(await VariantAsync(node, "NudgeTone", Subject(1, "p2", "slack", isNew: true)));
        Assert.Null(await VariantAsync(node, "NudgeTone", Subject(1, "p3", "slack", isNew: true)));
        Assert.Null(await VariantAsync(node, "NudgeTone", Subject(1, "p1", "matrix", isNew: true)));
        Assert.Null(await VariantAsync(node, "NudgeTone", Subject(1, "p1", "slack", isNew: false)));
        Assert.Null(await VariantAsync(node, "NudgeTone", Subject(1, null, null, isNew: true)));
    }

    [Fact]
    public async Task A_draft_or_stopped_experiment_serves_no_variant()
    {
        await using var node = Node();
        var store = node.GetRequiredService<IExperimentDefinitionStore>();
        await store.SaveAsync(Tone(ExperimentStatus.Draft), [], None);
        Assert.Null(await VariantAsync(node, "NudgeTone", Subject(1)));
        await store.SaveAsync(Tone(ExperimentStatus.Stopped), [], None);
        Assert.Null(await VariantAsync(node, "NudgeTone", Subject(1)));
    }

    [Fact]
    public async Task Researchers_edit_at_run_time_and_the_store_overrides_configuration()
    {
        await using var node = Node();
        var catalog = node.GetRequiredService<ExperimentCatalog>();
        Assert.Equal("weekly", await VariantAsync(node, "NudgeFrequency", Subject(3)));

        await catalog.DefineAsync(new ExperimentDefinition(
            "NudgeFrequency", ExperimentLever.Frequency,
            [new VariantAllocation("weekly", 0), new VariantAllocation("daily", 100)], "f2", ExperimentTargeting.Everyone), "researcher");
        await catalog.StartAsync("NudgeFrequency", "researcher");
        Assert.Equal("daily", await VariantAsync(node, "NudgeFrequency", Subject(3)));

        await catalog.ChangeAllocationAsync("NudgeFrequency", [new VariantAllocation("weekly", 100), new VariantAllocation("daily", 0)], "researcher");
        Assert.Equal("weekly", await VariantAsync(node, "NudgeFrequency", Subject(3)));

        var names = new List<string>();
        await foreach (var definition in node.GetRequiredService<IFeatureDefinitionProvider>().GetAllFeatureDefinitionsAsync())
        {
            names.Add(definition.Name);
        }

        Assert.Equal(["NudgeFrequency", "QuestionMode"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_allocation_change_is_stored_with_an_audit_event_holding_old_and_new_values()
    {
        await using var node = Node();
        var catalog = node.GetRequiredService<ExperimentCatalog>();
        await catalog.DefineAsync(Tone(ExperimentStatus.Draft), "alice");
        IReadOnlyList<VariantAllocation> next = [new("neutral", 50), new("playful", 50), new("impact", 0)];

        await catalog.ChangeAllocationAsync("NudgeTone", next, "bob");

        var trail = await node.GetRequiredService<IExperimentDefinitionStore>().EventsAsync("NudgeTone", None);
        Assert.IsType<ExperimentDefined>(trail[0]);
        var changed = Assert.IsType<ExperimentAllocationChanged>(trail[1]);
        Assert.Equal(Tone().Variants, changed.OldAllocations);
        Assert.Equal(next, changed.NewAllocations);
        Assert.Equal("bob", changed.By);
    }

    [Fact]
    public async Task Invalid_or_overlapping_definitions_are_refused_with_clear_messages()
    {
        await using var node = Node();
        var catalog = node.GetRequiredService<ExperimentCatalog>();
        var invalid = await Assert.ThrowsAsync<ExperimentDefinitionException>(() =>
            catalog.DefineAsync(Tone() with { Variants = [new("neutral", 60), new("playful", 60)] }, "alice"));
        Assert.Contains("totalisent 120 %", invalid.Message, StringComparison.Ordinal);

        await catalog.DefineAsync(Tone(ExperimentStatus.Draft), "alice");
        await catalog.StartAsync("NudgeTone", "alice");
        await catalog.DefineAsync(Tone(ExperimentStatus.Draft) with { Name = "NudgeTone2" }, "bob");
        var overlap = await Assert.ThrowsAsync<ExperimentDefinitionException>(() => catalog.StartAsync("NudgeTone2", "bob"));
        Assert.Contains("« NudgeTone » et « NudgeTone2 »", overlap.Message, StringComparison.Ordinal);
        Assert.Null(await VariantAsync(node, "NudgeTone2", Subject(1)));
    }
}
