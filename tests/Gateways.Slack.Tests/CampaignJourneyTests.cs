using CoConstruisons.Contracts.V1;
using CoConstruisons.Gateways.Slack.Campaigns;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>The project's campaign on the real platform, delivered by the real gateway.</summary>
[Collection(nameof(GatewayCollection))]
public sealed class CampaignJourneyTests(GatewayFixture f)
{
    private static string Dm(string user) => "D" + user;

    private int NudgesTo(string user) =>
        f.Slack.Posted(Dm(user)).Count(p => p.Json.Contains(CobotConversation.NudgeStartAction, StringComparison.Ordinal));

    [Fact]
    public async Task The_owners_campaign_decides_and_words_the_nudges_the_platform_records_them_and_stop_ends_them()
    {
        var campaigns = new CampaignService.CampaignServiceClient(f.Platform);
        var campaign = await campaigns.GetCampaignAsync(new GetCampaignRequest { ProjectId = f.ProjectId, Channel = "slack" }, f.Owner);
        campaign.WorkingDays.Clear();
        campaign.WorkingDays.AddRange(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);
        campaign.QuietFrom = campaign.QuietUntil = "00:00"; // no quiet hours: the test runs at any hour
        campaign.MaxPerDay = 1;
        campaign.MaxPerWeek = 3;
        campaign.Tone = "playful";
        campaign.Messages.Single(m => m.Tone == "playful").NudgeFr = "Un petit toit avant le café ?";
        campaign.Messages.Single(m => m.Tone == "playful").GreetingFr = "Coucou, ici Cobot !";
        var saved = await campaigns.UpdateCampaignAsync(new UpdateCampaignRequest { Campaign = campaign }, f.Owner);
        Assert.True(saved.Version >= 1);

        const string user = "U0NUDGED";
        await f.SlashCommand(user);
        var notice = await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).FirstOrDefault(), "consent notice");
        Assert.StartsWith("Coucou, ici Cobot !", notice.Body["text"]!.ToString(), StringComparison.Ordinal);
        (await f.Click(user, notice, "cobot_consent_accept", "1700000400.000001")).EnsureSuccessStatusCode();
        await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).Skip(1).FirstOrDefault(), "first question");

        var before = await f.EventCount("nudge_sent");
        var nudges = f.GatewayServices.GetRequiredService<NudgeService>();
        await nudges.RunAsync(CancellationToken.None);
        Assert.Equal(1, NudgesTo(user));
        var nudge = f.Slack.Posted(Dm(user)).Last(p => p.Json.Contains(CobotConversation.NudgeStartAction, StringComparison.Ordinal));
        Assert.Equal("Un petit toit avant le café ?", nudge.Body["text"]!.ToString());
        Assert.True(await f.EventCount("nudge_sent") > before, "the nudge is an event on the platform");

        await nudges.RunAsync(CancellationToken.None); // same day: the daily cap of 1 holds
        Assert.Equal(1, NudgesTo(user));

        var posted = f.Slack.Posted(Dm(user)).Count;
        await f.SlashCommand(user, "stop");
        await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).Skip(posted).FirstOrDefault(), "stop confirmation");
        var engagement = await new CampaignService.CampaignServiceClient(f.Platform).GetEngagementAsync(new GetEngagementRequest
        {
            ProjectId = f.ProjectId,
            Contributor = new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = GatewayFixture.TeamId + ":" + user } },
        }, new Grpc.Core.Metadata { { "x-api-key", GatewayFixture.ServiceKey } });
        Assert.Equal((true, false, 1), (engagement.OptedOut, engagement.Active, engagement.NudgesTotal));
        Assert.StartsWith("c_", engagement.ContributorId, StringComparison.Ordinal);
        Assert.DoesNotContain(user, engagement.ContributorId, StringComparison.Ordinal);

        await nudges.RunAsync(CancellationToken.None);
        Assert.Equal(1, NudgesTo(user));
    }

    [Fact]
    public async Task Campaign_calls_need_the_right_credentials_and_bad_settings_are_named()
    {
        var campaigns = new CampaignService.CampaignServiceClient(f.Platform);
        var anonymous = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            campaigns.PlanNudgesAsync(new PlanNudgesRequest { ProjectId = f.ProjectId, Channel = "slack" }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, anonymous.StatusCode);

        var campaign = await campaigns.GetCampaignAsync(new GetCampaignRequest { ProjectId = f.ProjectId, Channel = "slack" }, f.Owner);
        campaign.MaxPerDay = 5;
        campaign.MaxPerWeek = 2;
        campaign.TimeZone = "Mars/Olympus";
        var bad = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            campaigns.UpdateCampaignAsync(new UpdateCampaignRequest { Campaign = campaign }, f.Owner).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("plafond hebdomadaire", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus", bad.Status.Detail, StringComparison.Ordinal);

        // A message too long is said to be too long (with its length), an empty one to be required.
        var wordy = await campaigns.GetCampaignAsync(new GetCampaignRequest { ProjectId = f.ProjectId, Channel = "slack" }, f.Owner);
        wordy.Messages[0].NudgeFr = new string('a', 501);
        wordy.Messages[0].NudgeEn = " ";
        var tooLong = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            campaigns.UpdateCampaignAsync(new UpdateCampaignRequest { Campaign = wordy }, f.Owner).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, tooLong.StatusCode);
        Assert.Contains("« nudge_fr » du ton " + wordy.Messages[0].Tone + " est trop long : 501 caractères, 500 au plus.", tooLong.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("« nudge_en » du ton " + wordy.Messages[0].Tone + " est requis", tooLong.Status.Detail, StringComparison.Ordinal);

        // Two owners editing the same version: the second save is refused, nothing overwritten.
        var first = await campaigns.GetCampaignAsync(new GetCampaignRequest { ProjectId = f.ProjectId, Channel = "slack" }, f.Owner);
        var second = first.Clone();
        first.MaxPerWeek = 4;
        await campaigns.UpdateCampaignAsync(new UpdateCampaignRequest { Campaign = first }, f.Owner);
        second.MaxPerWeek = 5;
        var stale = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            campaigns.UpdateCampaignAsync(new UpdateCampaignRequest { Campaign = second }, f.Owner).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, stale.StatusCode);
        Assert.Contains("rechargez", stale.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(4, (await campaigns.GetCampaignAsync(new GetCampaignRequest { ProjectId = f.ProjectId, Channel = "slack" }, f.Owner)).MaxPerWeek);
    }
}
