using System.Globalization;
using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Experiments;
using Grpc.Core;
using Mediator;
using ContractExperiment = CoConstruisons.Contracts.V1.Experiment;
using ContractResults = CoConstruisons.Contracts.V1.ExperimentResults;
using ContractDetail = CoConstruisons.Contracts.V1.ExperimentDetail;

namespace CoConstruisons.Api.Services;

public sealed class ExperimentGrpcService(IMediator mediator, CallerContext caller) : ExperimentService.ExperimentServiceBase
{
    public override async Task<ListExperimentsResponse> ListExperiments(ListExperimentsRequest request, ServerCallContext context)
    {
        var list = await mediator.Send(new ListExperiments(caller.RequireOwner(context)), context.CancellationToken);
        var response = new ListExperimentsResponse();
        response.Experiments.AddRange(list.Select(ToContract));
        return response;
    }

    public override async Task<ContractDetail> GetExperiment(GetExperimentRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new GetExperiment(caller.RequireOwner(context), request.Name), context.CancellationToken));

    public override async Task<ContractDetail> DefineExperiment(DefineExperimentRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var definition = ExperimentContracts.ToDomain(request.Experiment ?? new ContractExperiment());
        return ToContract(await mediator.Send(new DefineExperiment(owner, definition), context.CancellationToken));
    }

    public override async Task<ContractDetail> ChangeAllocation(ChangeAllocationRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new ChangeExperimentAllocation(
            caller.RequireOwner(context), request.Name, ExperimentContracts.ToDomain(request.Variants)), context.CancellationToken));

    public override async Task<ContractDetail> StartExperiment(StartExperimentRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new StartExperiment(caller.RequireOwner(context), request.Name), context.CancellationToken));

    public override async Task<ContractDetail> StopExperiment(StopExperimentRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new StopExperiment(caller.RequireOwner(context), request.Name, request.Reason), context.CancellationToken));

    public override async Task<ContractResults> GetResults(GetResultsRequest request, ServerCallContext context)
    {
        var results = await mediator.Send(new GetExperimentResults(caller.RequireOwner(context), request.Name), context.CancellationToken);
        var english = Texts.IsEnglish;
        var d = results.Definition;
        var response = new ContractResults
        {
            Name = d.Name,
            Control = d.ControlVariant,
            PlannedPerArm = d.PlannedPerArm > 0 ? d.PlannedPerArm : ExperimentPlanning.RecommendedPerArm(),
            Interim = results.Report?.IsInterim ?? true,
            PeekingWarning = (english ? results.Report?.PeekingWarningEn : results.Report?.PeekingWarningFr) ?? "",
        };
        response.Exposed.AddRange(d.Variants.Select(v => new VariantCount { Variant = v.Name, Contributors = results.Exposed.GetValueOrDefault(v.Name) }));
        foreach (var m in results.Report?.Comparisons ?? [])
        {
            response.Metrics.Add(new MetricResult
            {
                Metric = m.Metric.Key,
                MetricName = english ? m.Metric.NameEn : m.Metric.NameFr,
                Variant = m.Variant,
                Control = m.Control,
                ControlUnits = m.ControlUnits,
                VariantUnits = m.VariantUnits,
                Test = m.Test,
                ControlValue = m.Effect.ControlValue,
                VariantValue = m.Effect.VariantValue,
                RelativeEffect = m.Effect.Relative,
                RelativeLow = m.Effect.RelativeLow,
                RelativeHigh = m.Effect.RelativeHigh,
                PValue = m.Effect.PValue,
                AlwaysValidPValue = m.AlwaysValidPValue,
                Significant = m.Significant,
                GuardrailBreached = m.GuardrailBreached,
                Verdict = english ? m.VerdictEn : m.VerdictFr,
            });
        }

        response.Series.AddRange(results.Series.Where(p => !double.IsNaN(p.Value)).Select(p => new SeriesPoint
        {
            Day = p.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Metric = p.Metric,
            Variant = p.Variant,
            Value = p.Value,
            Units = p.Units,
        }));
        return response;
    }

    private static ContractExperiment ToContract(ExperimentDefinition d) => ExperimentContracts.ToContract(d);

    private static ContractDetail ToContract(Application.Experiments.ExperimentDetail detail)
    {
        var result = new ContractDetail { Experiment = ExperimentContracts.ToContract(detail.Definition) };
        result.Audit.AddRange(detail.Audit.Select(ExperimentContracts.ToAudit).OfType<AuditEntry>());
        return result;
    }
}

/// <summary>Experiments between the wire and the domain (also used by the CLI's printouts).</summary>
public static class ExperimentContracts
{
    public static ContractExperiment ToContract(ExperimentDefinition d)
    {
        var e = new ContractExperiment
        {
            Name = d.Name,
            Lever = AuditLine.LeverName(d.Lever),
            Seed = d.Seed,
            Audience = d.Targeting.Audience.ToString().ToLowerInvariant(),
            Status = d.Status.ToString().ToLowerInvariant(),
            AllowOverlap = d.AllowOverlap,
            PlannedPerArm = d.PlannedPerArm,
        };
        e.Variants.AddRange(d.Variants.Select(v => new VariantShare { Name = v.Name, Percent = (double)v.Percent }));
        e.ProjectIds.AddRange(d.Targeting.ProjectIds);
        e.Channels.AddRange(d.Targeting.Channels);
        return e;
    }

    /// <summary>The variants' shares; a share that is not a finite number is refused (it has no decimal value).</summary>
    public static IReadOnlyList<VariantAllocation> ToDomain(IEnumerable<VariantShare> variants)
    {
        var problems = new List<ExperimentProblem>();
        var result = ToDomain(variants, problems);
        return problems.Count > 0 ? throw new ExperimentDefinitionException(problems) : result;
    }

    public static ExperimentDefinition ToDomain(ContractExperiment e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var errors = new List<ExperimentProblem>();
        var leverWord = e.Lever.Trim().ToLowerInvariant();
        var lever = ExperimentWords.Lever(leverWord == "questionmode" ? "question_mode" : leverWord);
        if (lever is null)
        {
            errors.Add(new($"Levier inconnu « {e.Lever} » (tone, frequency, question_mode).", $"Unknown lever '{e.Lever}' (tone, frequency, question_mode).", "lever"));
        }

        // Only the three words (empty: everyone).
        var audienceWord = e.Audience.Trim().ToLowerInvariant();
        var audience = audienceWord.Length == 0 ? ExperimentAudience.All : ExperimentWords.Audience(audienceWord);
        if (audience is null)
        {
            errors.Add(new($"Public inconnu « {e.Audience} » (all, new, returning).", $"Unknown audience '{e.Audience}' (all, new, returning).", "audience"));
        }

        var variants = ToDomain(e.Variants, errors);
        if (errors.Count > 0)
        {
            throw new ExperimentDefinitionException(errors);
        }

        return new ExperimentDefinition(
            e.Name.Trim(), lever!.Value, variants, e.Seed.Trim(),
            new ExperimentTargeting([.. e.ProjectIds.Select(p => p.Trim())], [.. e.Channels.Select(c => c.Trim().ToLowerInvariant())], audience!.Value),
            ExperimentStatus.Draft, e.AllowOverlap)
        { PlannedPerArm = e.PlannedPerArm };
    }

    private static List<VariantAllocation> ToDomain(IEnumerable<VariantShare> variants, List<ExperimentProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var result = new List<VariantAllocation>();
        foreach (var v in variants)
        {
            if (!double.IsFinite(v.Percent) || Math.Abs(v.Percent) > 1e9)
            {
                problems.Add(double.IsFinite(v.Percent)
                    ? new(
                        $"La variante « {v.Name.Trim()} » a une allocation de {v.Percent.ToString(CultureInfo.InvariantCulture)} %, hors de toute allocation possible (de 0 à 100).",
                        $"Variant '{v.Name.Trim()}' has an allocation of {v.Percent.ToString(CultureInfo.InvariantCulture)} %, outside any possible allocation (0 to 100).",
                        "variants")
                    : new(
                        $"La variante « {v.Name.Trim()} » a une allocation qui n'est pas un nombre ({v.Percent.ToString(CultureInfo.InvariantCulture)}).",
                        $"Variant '{v.Name.Trim()}' has an allocation that is not a number ({v.Percent.ToString(CultureInfo.InvariantCulture)}).",
                        "variants"));
                continue;
            }

            result.Add(new VariantAllocation(v.Name.Trim(), (decimal)Math.Round(v.Percent, 4)));
        }

        return result;
    }

    public static AuditEntry? ToAudit(object e) => AuditLine.Of(e) is { } line
        ? new AuditEntry { AtUnix = line.At.ToUnixTimeSeconds(), By = line.By, Kind = line.Kind, Summary = line.Summary }
        : null;
}
