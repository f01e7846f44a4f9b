using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Domain.Experiments;

namespace CoConstruisons.Domain.UnitTests.Experiments;

internal static class ExperimentFixtures
{
    /// <summary>A pseudonym shaped like the platform's: "c_" + 32 hex characters, derived from i.</summary>
    public static string Pseudonym(int i) =>
        "c_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("contributor-" + i)))[..32];

    public static ExperimentDefinition Tone(string name = "NudgeTone", ExperimentStatus status = ExperimentStatus.Draft) => new(
        name,
        ExperimentLever.Tone,
        [new VariantAllocation("neutral", 34), new VariantAllocation("playful", 33), new VariantAllocation("impact", 33)],
        "2025-tone",
        ExperimentTargeting.Everyone,
        status);
}
