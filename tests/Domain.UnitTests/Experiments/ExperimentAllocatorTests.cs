using CoConstruisons.Domain.Experiments;
using FsCheck.Xunit;
using static CoConstruisons.Domain.UnitTests.Experiments.ExperimentFixtures;

namespace CoConstruisons.Domain.UnitTests.Experiments;

public class ExperimentAllocatorTests
{
    [Property]
    public bool A_contributor_always_gets_the_same_variant(int i)
    {
        var definition = Tone();
        var id = Pseudonym(i);
        return ExperimentAllocator.Allocate(definition, id) == ExperimentAllocator.Allocate(Tone(), id);
    }

    [Fact]
    public void The_percentile_is_a_fixed_function_of_the_strings_not_of_the_process()
    {
        // Pinned value: if this changes, every running experiment would reshuffle its contributors.
        // SHA-256("c_0123456789abcdef0123456789abcdef\nseed\nNudgeTone"), first 4 bytes little-endian / (2^32 − 1) × 100.
        var expected = ReferencePercentile("c_0123456789abcdef0123456789abcdef\nseed\nNudgeTone");
        Assert.Equal(expected, ExperimentAllocator.Percentile("c_0123456789abcdef0123456789abcdef", "seed\nNudgeTone"), 12);
        Assert.InRange(expected, 0, 100);
    }

    [Fact]
    public void Allocation_at_34_33_33_is_balanced_over_10000_pseudonyms()
    {
        var definition = Tone();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["neutral"] = 0, ["playful"] = 0, ["impact"] = 0 };
        const int n = 10_000;
        for (var i = 0; i < n; i++)
        {
            counts[ExperimentAllocator.Allocate(definition, Pseudonym(i))]++;
        }

        var expected = new Dictionary<string, double> { ["neutral"] = 0.34 * n, ["playful"] = 0.33 * n, ["impact"] = 0.33 * n };
        var chiSquare = counts.Sum(kv => Math.Pow(kv.Value - expected[kv.Key], 2) / expected[kv.Key]);
        var pValue = Math.Exp(-chiSquare / 2); // chi-square survival with 2 degrees of freedom
        Assert.True(pValue > 0.001, $"chi² = {chiSquare:0.00}, p = {pValue:0.0000}, counts = {string.Join(", ", counts)}");
    }

    [Fact]
    public void Two_experiments_sharing_a_seed_still_allocate_independently()
    {
        var a = Tone("ToneA");
        var b = Tone("ToneB");
        var same = Enumerable.Range(0, 3000).Count(i => ExperimentAllocator.Allocate(a, Pseudonym(i)) == ExperimentAllocator.Allocate(b, Pseudonym(i)));
        // Independent 34/33/33 allocations agree with probability 0.34² + 2·0.33² ≈ 0.334.
        Assert.InRange(same / 3000.0, 0.30, 0.37);
    }

    [Fact]
    public void Ranges_follow_the_listing_order_and_cover_0_to_100()
    {
        var ranges = ExperimentAllocator.Ranges(Tone().Variants);
        Assert.Equal([("neutral", 0, 34), ("playful", 34, 67), ("impact", 67, 100)], ranges);
        Assert.Equal("neutral", ExperimentAllocator.VariantAt(ranges, 0));
        Assert.Equal("playful", ExperimentAllocator.VariantAt(ranges, 34));
        Assert.Equal("impact", ExperimentAllocator.VariantAt(ranges, 100));
    }

    [Fact]
    public void Only_targeted_contributors_of_a_running_experiment_are_allocated()
    {
        var definition = Tone(status: ExperimentStatus.Running) with
        {
            Targeting = new ExperimentTargeting(["p1"], ["slack"], ExperimentAudience.New),
        };
        var id = Pseudonym(1);
        Assert.NotNull(ExperimentAllocator.AllocateIfTargeted(definition, new ExperimentSubject(id, "p1", "slack", IsNew: true)));
        Assert.Null(ExperimentAllocator.AllocateIfTargeted(definition, new ExperimentSubject(id, "p2", "slack", IsNew: true)));
        Assert.Null(ExperimentAllocator.AllocateIfTargeted(definition, new ExperimentSubject(id, "p1", "web", IsNew: true)));
        Assert.Null(ExperimentAllocator.AllocateIfTargeted(definition, new ExperimentSubject(id, "p1", "slack", IsNew: false)));
        Assert.Null(ExperimentAllocator.AllocateIfTargeted(definition with { Status = ExperimentStatus.Stopped }, new ExperimentSubject(id, "p1", "slack", IsNew: true)));
    }

    private static double ReferencePercentile(string input)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(input));
        var marker = (uint)(hash[0] | (hash[1] << 8) | (hash[2] << 16) | (hash[3] << 24));
        return marker / 4294967295.0 * 100;
    }
}
