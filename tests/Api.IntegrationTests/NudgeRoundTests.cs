using CoConstruisons.Application.Campaigns;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Application.Owners;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Domain.Campaigns;
using CoConstruisons.Domain.Experiments;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>
/// Nudge rounds on PostgreSQL with a controlled clock: the platform's application services, as a
/// gateway's CampaignService calls reach them, with their own schema.
/// </summary>
public sealed class NudgeRoundTests : IAsyncLifetime
{
    // Tuesday 13 January 2026, 10:00 in Paris.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 13, 9, 0, 0, TimeSpan.Zero));
    private PlatformHarness _platform = null!;
    private Guid _project;
    private Guid _researcher;

    private ServiceProvider _services => _platform.Services;

    public async Task InitializeAsync()
    {
        _platform = await PlatformHarness.StartAsync("nudge", clock: _clock);
        var owner = await Send(new RegisterOwner("chercheuse@example.fr", "Chercheuse", "correct-horse", Researcher: true));
        _researcher = owner.Id;
        _project = (await Send(new CreateProject(owner.Id, new ProjectSettings(
            "Toits", "", "Dans quel sens ?", RoofOrientation.Choices, true, "", 5)))).Project.Id;
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    private Task<T> Send<T>(ICommand<T> command) => _platform.Send(command);

    private Task<T> Query<T>(IQuery<T> query) => _platform.Send(query);

    private static ContributorCredential Slack(string user) => new(null, "slack", "T1:" + user, CallerIsService: true);

    private async Task<string> Consent(string user, bool accepted = true) =>
        (await Send(new RecordConsent(_project, Slack(user), accepted, "slack-1", "sealed-" + user))).ContributorId;

    private async Task<List<string>> Round() =>
        [.. (await Send(new PlanNudges(_project, "slack", CallerIsService: true))).Select(n => n.SealedAddress.Replace("sealed-", "", StringComparison.Ordinal))];

    private void At(int day, int hourParis) =>
        _clock.SetUtcNow(new DateTimeOffset(2026, 1, day, hourParis - 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Only_consenting_contributors_are_nudged_within_caps_and_quiet_hours_and_never_after_stop()
    {
        await Consent("UYES");
        await Consent("UNO", accepted: false);
        await Consent("UQUIT");
        await Send(new OptOut(_project, Slack("UQUIT")));

        Assert.Equal(["UYES"], await Round());          // Tuesday 10:00
        At(13, 16);
        Assert.Empty(await Round());                    // same day: daily cap (1)
        At(13, 21);
        Assert.Empty(await Round());                    // quiet hours
        At(14, 10);
        Assert.Equal(["UYES"], await Round());          // Wednesday
        At(15, 10);
        Assert.Equal(["UYES"], await Round());          // Thursday: third this week
        At(16, 10);
        Assert.Empty(await Round());                    // Friday: weekly cap (3)
        At(17, 11);
        Assert.Empty(await Round());                    // Saturday: not a working day

        var yes = await Query(new GetEngagement(_project, Slack("UYES")));
        Assert.Equal(3, yes.NudgesTotal);
        await Send(new OptOut(_project, Slack("UYES")));
        At(20, 10);
        Assert.Empty(await Round());                    // the next Tuesday, but they said stop
        Assert.Equal(0, (await Query(new GetEngagement(_project, Slack("UQUIT")))).NudgesTotal);
    }

    [Fact]
    public async Task Two_rounds_racing_on_one_database_nudge_each_contributor_once()
    {
        var users = Enumerable.Range(0, 20).Select(i => $"URACE{i:00}").ToList();
        foreach (var user in users)
        {
            await Consent(user);
        }

        var rounds = await Task.WhenAll(Round(), Round(), Round());
        var all = rounds.SelectMany(r => r).ToList();
        Assert.Equal(users.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_running_tone_experiment_words_the_nudge_and_records_one_exposure_per_nudge_actually_sent()
    {
        var contributor = await Consent("UEXP");
        var experiment = new ExperimentDefinition("NudgeToneTest", ExperimentLever.Tone,
            [new VariantAllocation("impact", 0), new VariantAllocation("playful", 100)], "seed", ExperimentTargeting.Everyone);
        await Send(new DefineExperiment(_researcher, experiment));
        await Send(new StartExperiment(_researcher, "NudgeToneTest"));

        var nudge = Assert.Single(await Send(new PlanNudges(_project, "slack", CallerIsService: true)));
        Assert.Equal((Tone.Playful, DefaultMessages.All[Tone.Playful].NudgeFr), (nudge.Tone, nudge.Text));
        At(13, 16);
        Assert.Empty(await Round()); // capped: nothing shown, so no exposure

        var results = await Query(new GetExperimentResults(_researcher, "NudgeToneTest"));
        Assert.Equal(1, results.Exposed["playful"]);
        var store = _services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var exposures = await session.Events.QueryRawEventDataOnly<ExperimentExposure>().ToListAsync();
        var exposure = Assert.Single(exposures);
        Assert.Equal((contributor, "NudgeToneTest", "playful"), (exposure.ContributorId, exposure.Experiment, exposure.Variant));
        Assert.True(results.Definition.PlannedPerArm > 0, "the engine recommends a sample size at definition");
    }

    [Fact]
    public async Task Experiments_are_for_researchers_only_and_gateway_calls_need_a_service()
    {
        var plain = await Send(new RegisterOwner("agent@example.fr", "Agent", "correct-horse"));
        var denied = await Assert.ThrowsAsync<Application.Common.Exceptions.ForbiddenException>(() => Query(new ListExperiments(plain.Id)));
        Assert.Contains("chercheur", denied.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<Application.Common.Exceptions.UnauthenticatedException>(() =>
            Send(new RecordConsent(_project, new ContributorCredential(null, "slack", "T1:U1", CallerIsService: false), true, "v", "")));
        await Assert.ThrowsAsync<Application.Common.Exceptions.UnauthenticatedException>(() =>
            Send(new PlanNudges(_project, "slack", CallerIsService: false)));
    }
}
