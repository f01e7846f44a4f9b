using System.Globalization;
using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Campaigns;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Mediator;
using DomainCampaigns = CoConstruisons.Domain.Campaigns;

namespace CoConstruisons.Api.Services;

public sealed class CampaignGrpcService(IMediator mediator, CallerContext caller) : CampaignService.CampaignServiceBase
{
    public override async Task<RecordInvitationResponse> RecordInvitation(RecordInvitationRequest request, ServerCallContext context)
    {
        var result = await mediator.Send(
            new RecordInvitation(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context)), context.CancellationToken);
        return new RecordInvitationResponse { ContributorId = result.ContributorId, Greeting = result.Greeting, Tone = result.Tone.Name() };
    }

    public override async Task<Engagement> RecordConsent(RecordConsentRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new RecordConsent(
            Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context), request.Accepted, request.ConsentVersion, request.SealedAddress),
            context.CancellationToken));

    public override async Task<Engagement> OptOut(OptOutRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new OptOut(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context)), context.CancellationToken));

    public override async Task<Engagement> GetEngagement(GetEngagementRequest request, ServerCallContext context) =>
        ToContract(await mediator.Send(new GetEngagement(Ids.Parse(request.ProjectId, "project_id"), caller.Contributor(request.Contributor, context)), context.CancellationToken));

    public override async Task<PlanNudgesResponse> PlanNudges(PlanNudgesRequest request, ServerCallContext context)
    {
        var isService = caller.IsService(context);
        var planned = await mediator.Send(new PlanNudges(Ids.Parse(request.ProjectId, "project_id"), request.Channel, isService), context.CancellationToken);
        var response = new PlanNudgesResponse();
        response.Nudges.AddRange(planned.Select(n => new Contracts.V1.PlannedNudge
        {
            NudgeId = n.NudgeId.ToString(),
            ContributorId = n.ContributorId,
            SealedAddress = n.SealedAddress,
            Text = n.Text,
            Tone = n.Tone.Name(),
            Mode = n.Mode.Name(),
            Questions = n.Questions,
        }));
        return response;
    }

    public override async Task<Campaign> GetCampaign(GetCampaignRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        return ToContract(await mediator.Send(new GetCampaign(Ids.Parse(request.ProjectId, "project_id"), owner, request.Channel), context.CancellationToken));
    }

    public override async Task<Campaign> UpdateCampaign(UpdateCampaignRequest request, ServerCallContext context)
    {
        var owner = caller.RequireOwner(context);
        var c = request.Campaign ?? throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("campaign", Application.Common.Texts.T("La campagne est requise.", "The campaign is required."))]);
        var (rules, messages) = ToDomain(c);
        return ToContract(await mediator.Send(
            new UpdateCampaign(Ids.Parse(c.ProjectId, "campaign.project_id"), owner, c.Channel, rules, messages, c.Version), context.CancellationToken));
    }

    private static Engagement ToContract(EngagementView view) => new()
    {
        ContributorId = view.ContributorId,
        Consent = view.Consent switch
        {
            DomainCampaigns.ConsentState.Accepted => ConsentState.Accepted,
            DomainCampaigns.ConsentState.Declined => ConsentState.Declined,
            _ => ConsentState.Unspecified,
        },
        OptedOut = view.OptedOut,
        NudgesTotal = view.NudgesTotal,
        Active = view.Active,
        Known = view.Known,
    };

    private static Campaign ToContract(CampaignView view)
    {
        var c = view.Campaign;
        var r = c.Rules;
        var result = new Campaign
        {
            ProjectId = c.ProjectId.ToString(),
            Channel = c.Channel,
            Enabled = r.Enabled,
            MaxPerDay = r.MaxPerDay,
            MaxPerWeek = r.MaxPerWeek,
            QuietFrom = r.QuietFrom.ToString("HH:mm", CultureInfo.InvariantCulture),
            QuietUntil = r.QuietUntil.ToString("HH:mm", CultureInfo.InvariantCulture),
            TimeZone = r.TimeZoneId,
            Tone = r.Tone.Name(),
            Mode = r.Mode.Name(),
            Version = c.Version,
            NudgesSent = view.NudgesSent,
            ContributorsActive = view.ContributorsActive,
        };
        result.WorkingDays.AddRange(r.WorkingDays.Order().Select(d => d.ToString().ToLowerInvariant()));
        foreach (var tone in Enum.GetValues<DomainCampaigns.Tone>())
        {
            var m = c.MessagesFor(tone);
            result.Messages.Add(new ToneMessages { Tone = tone.Name(), NudgeFr = m.NudgeFr, NudgeEn = m.NudgeEn, GreetingFr = m.GreetingFr, GreetingEn = m.GreetingEn });
        }

        return result;
    }

    private static (DomainCampaigns.CampaignRules Rules, IReadOnlyDictionary<DomainCampaigns.Tone, DomainCampaigns.ToneMessages> Messages) ToDomain(Campaign c)
    {
        var errors = new List<(string Field, string Fr, string En)>();
        TimeOnly Time(string text, string field, TimeOnly fallback)
        {
            if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            {
                return t;
            }

            errors.Add((field, $"Heure attendue au format HH:mm : « {text} ».", $"Expected an HH:mm time: '{text}'."));
            return fallback;
        }

        DomainCampaigns.Tone Tone(string text, string field)
        {
            if (Treatments.ParseTone(text) is { } tone)
            {
                return tone;
            }

            errors.Add((field, $"Ton inconnu « {text} » (neutral, playful, impact).", $"Unknown tone '{text}' (neutral, playful, impact)."));
            return DomainCampaigns.Tone.Impact;
        }

        var days = new List<DayOfWeek>();
        foreach (var day in c.WorkingDays)
        {
            if (Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var d) && Enum.IsDefined(d))
            {
                days.Add(d);
            }
            else
            {
                errors.Add(("working_days", $"Jour inconnu « {day} » (monday … sunday).", $"Unknown day '{day}' (monday … sunday)."));
            }
        }

        var mode = Treatments.ParseMode(c.Mode);
        if (mode is null)
        {
            errors.Add(("mode", $"Mode inconnu « {c.Mode} » (single, series).", $"Unknown mode '{c.Mode}' (single, series)."));
        }

        var rules = new DomainCampaigns.CampaignRules
        {
            Enabled = c.Enabled,
            MaxPerDay = c.MaxPerDay,
            MaxPerWeek = c.MaxPerWeek,
            QuietFrom = Time(c.QuietFrom, "quiet_from", new TimeOnly(20, 0)),
            QuietUntil = Time(c.QuietUntil, "quiet_until", new TimeOnly(9, 0)),
            WorkingDays = days.Distinct().ToList(),
            TimeZoneId = c.TimeZone.Trim(),
            Tone = Tone(c.Tone, "tone"),
            Mode = mode ?? DomainCampaigns.QuestionMode.Single,
        };
        var messages = new Dictionary<DomainCampaigns.Tone, DomainCampaigns.ToneMessages>();
        foreach (var m in c.Messages)
        {
            messages[Tone(m.Tone, "messages.tone")] = new DomainCampaigns.ToneMessages(m.NudgeFr, m.NudgeEn, m.GreetingFr, m.GreetingEn);
        }

        if (errors.Count > 0)
        {
            throw new FluentValidation.ValidationException(errors.Select(e =>
                new FluentValidation.Results.ValidationFailure(e.Field, Application.Common.Texts.T(e.Fr, e.En))));
        }

        return (rules, messages);
    }
}
