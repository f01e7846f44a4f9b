using System.Globalization;
using CoConstruisons.Domain.Experiments;
using Microsoft.Extensions.Configuration;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace CoConstruisons.Infrastructure.Experiments;

/// <summary>
/// Translates experiments into Microsoft.FeatureManagement variant feature flags, and contributors
/// into targeting contexts.
///
/// <para>Targeting uses groups on the <see cref="TargetingContext"/>: "project:{id}", "channel:{name}"
/// and "audience:new" or "audience:returning". Each restricted dimension becomes one
/// <c>Microsoft.Targeting</c> filter (those groups at 100 %, default rollout 0 %) and the flag
/// requires them all, so the dimensions combine with AND. Allocation is
/// <c>allocation.percentile</c> with <c>seed = "{Seed}\n{Name}"</c>, which makes
/// <see cref="ExperimentAllocator"/> and <c>IVariantFeatureManager.GetVariantAsync</c> agree.</para>
/// </summary>
public static class ExperimentFeatureFlags
{
    public const string TargetingFilter = "Microsoft.Targeting";

    public static string ProjectGroup(string projectId) => "project:" + projectId;

    public static string ChannelGroup(string channel) => "channel:" + channel;

    public static string AudienceGroup(bool isNew) => isNew ? "audience:new" : "audience:returning";

    /// <summary>The targeting context FeatureManagement evaluates for this contributor and invitation.</summary>
    public static TargetingContext TargetingContextFor(ExperimentSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var groups = new List<string> { AudienceGroup(subject.IsNew) };
        if (subject.ProjectId is not null)
        {
            groups.Add(ProjectGroup(subject.ProjectId));
        }

        if (subject.Channel is not null)
        {
            groups.Add(ChannelGroup(subject.Channel));
        }

        return new TargetingContext { UserId = subject.ContributorId, Groups = groups };
    }

    /// <summary>The feature flag for an experiment: disabled unless it is running.</summary>
    public static FeatureDefinition ToFeatureDefinition(ExperimentDefinition experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var filters = new List<FeatureFilterConfiguration>();
        var targeting = experiment.Targeting;
        if (targeting.ProjectIds.Count > 0)
        {
            filters.Add(GroupsFilter(targeting.ProjectIds.Select(ProjectGroup)));
        }

        if (targeting.Channels.Count > 0)
        {
            filters.Add(GroupsFilter(targeting.Channels.Select(ChannelGroup)));
        }

        if (targeting.Audience != ExperimentAudience.All)
        {
            filters.Add(GroupsFilter([AudienceGroup(targeting.Audience == ExperimentAudience.New)]));
        }

        if (filters.Count == 0)
        {
            filters.Add(new FeatureFilterConfiguration { Name = "AlwaysOn" });
        }

        var variantValues = new ConfigurationBuilder()
            .AddInMemoryCollection(experiment.Variants.Select((v, i) => KeyValuePair.Create<string, string?>(i.ToString(CultureInfo.InvariantCulture), v.Name)))
            .Build();
        return new FeatureDefinition
        {
            Name = experiment.Name,
            Status = experiment.Status == ExperimentStatus.Running ? FeatureStatus.Conditional : FeatureStatus.Disabled,
            RequirementType = RequirementType.All,
            EnabledFor = filters,
            Variants = experiment.Variants.Select((v, i) => new VariantDefinition
            {
                Name = v.Name,
                ConfigurationValue = variantValues.GetSection(i.ToString(CultureInfo.InvariantCulture)),
            }).ToList(),
            Allocation = new Allocation
            {
                Seed = experiment.AllocationSeed,
                Percentile = ExperimentAllocator.Ranges(experiment.Variants)
                    .Select(r => new PercentileAllocation { Variant = r.Variant, From = r.From, To = r.To })
                    .ToList(),
            },
        };
    }

    private static FeatureFilterConfiguration GroupsFilter(IEnumerable<string> groups)
    {
        var settings = new Dictionary<string, string?> { ["Audience:DefaultRolloutPercentage"] = "0" };
        var i = 0;
        foreach (var group in groups)
        {
            settings[$"Audience:Groups:{i}:Name"] = group;
            settings[$"Audience:Groups:{i}:RolloutPercentage"] = "100";
            i++;
        }

        return new FeatureFilterConfiguration
        {
            Name = TargetingFilter,
            Parameters = new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
        };
    }
}
