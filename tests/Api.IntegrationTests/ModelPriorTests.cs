using CoConstruisons.Application.Models;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Models;
using Grpc.Core;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>
/// The latest model's prediction as a prior in consensus (docs/consensus.md, "The model's
/// prediction as a prior"): on the real Api and PostgreSQL, one-image projects answered by new
/// web contributors, predictions appended as the training job appends them.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class ModelPriorTests(ApiFixture api, ITestOutputHelper output)
{
    private const double Target = 0.99;
    private static readonly string[] Choices = ["north_south", "east_west", "flat", "other"];
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);
    private readonly ModelService.ModelServiceClient _models = new(api.Channel);

    [Fact]
    public async Task A_confident_prediction_retires_its_item_after_the_minimum_answers_where_the_crowd_alone_needs_more()
    {
        var withPrior = await Project(weight: 1);
        var without = await Project(weight: 1);
        await Predict(withPrior, "flat", 0.97);

        await Answer(withPrior, "flat");
        await Answer(without, "flat");
        var one = await State(withPrior);
        output.WriteLine($"one answer: with prior {one.Confidence:F4}, without {(await State(without)).Confidence:F4}");
        Assert.True(one.Confidence >= Target, $"confidence {one.Confidence} after one answer and the prior");
        Assert.False(one.Retired); // the prior never retires an item below the project's minimum of human answers (2)

        await Answer(withPrior, "flat");
        await Answer(without, "flat");
        var two = await State(withPrior);
        var crowdOnly = await State(without);
        output.WriteLine($"two answers: with prior {two.Confidence:F4}, without {crowdOnly.Confidence:F4}");
        Assert.True(two.Retired);
        Assert.Equal("flat", two.Label);
        Assert.Equal(2, two.EvidenceCount);
        Assert.False(crowdOnly.Retired);

        var answers = 2;
        while (!(await State(without)).Retired && answers < 6)
        {
            await Answer(without, "flat");
            answers++;
        }

        output.WriteLine($"the crowd alone retired the item after {answers} answers");
        Assert.True((await State(without)).Retired);
        Assert.True(answers > 2);

        var recorded = (await BeliefEvents(withPrior)).Last();
        Assert.Equal("v1", recorded.PriorModelVersion);
        Assert.Equal(1, recorded.PriorWeight);
        Assert.NotNull(recorded.PriorLogScores);
        Assert.Equal(Array.IndexOf(Choices, "flat"), Array.IndexOf(recorded.PriorLogScores!, recorded.PriorLogScores!.Max()));
        Assert.All(await BeliefEvents(without), e => Assert.Null(e.PriorLogScores));

        // The next model learns only from labels the answers alone made confident: not from an
        // item the prior pushed over the target (0.964 < 0.99 on its two answers), no feedback loop.
        await using var session = api.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var boosted = await ModelLabels.LoadAsync(session, (await session.LoadAsync<Domain.Projects.Project>(withPrior))!, CancellationToken.None);
        var crowd = await ModelLabels.LoadAsync(session, (await session.LoadAsync<Domain.Projects.Project>(without))!, CancellationToken.None);
        Assert.Empty(boosted.Examples);
        var learnt = Assert.Single(crowd.Examples);
        Assert.Equal("flat", learnt.Label);
        // The network learns the label softened by the answers on the item: they travel with it.
        Assert.Equal(new Dictionary<string, int> { ["flat"] = answers }, learnt.Votes);
    }

    [Fact]
    public async Task An_item_in_the_models_training_set_gets_no_prior_from_it()
    {
        var trained = await Project(weight: 1);
        var plain = await Project(weight: 1);
        await Predict(trained, "flat", 0.97, inTrainingSet: true);

        for (var i = 0; i < 2; i++)
        {
            await Answer(trained, "flat");
            await Answer(plain, "flat");
        }

        var state = await State(trained);
        Assert.False(state.Retired);
        Assert.Null(state.PriorLogScores);
        Assert.Equal((await State(plain)).Confidence, state.Confidence, 9);
        Assert.All(await BeliefEvents(trained), e =>
        {
            Assert.Null(e.PriorLogScores);
            Assert.Null(e.PriorModelVersion);
        });
    }

    [Fact]
    public async Task Weight_zero_changes_nothing()
    {
        var off = await Project(weight: 0);
        var plain = await Project(weight: 0);
        await Predict(off, "flat", 0.97);

        foreach (var choice in new[] { "flat", "other", "flat" })
        {
            await Answer(off, choice);
            await Answer(plain, choice);
        }

        var (a, b) = (await State(off), await State(plain));
        Assert.Equal(b.Label, a.Label);
        Assert.Equal(b.Confidence, a.Confidence, 9);
        Assert.Equal(b.LogScores!, a.LogScores!, (x, y) => Math.Abs(x - y) < 1e-9);
        Assert.Equal(b.Retired, a.Retired);
        Assert.All(await BeliefEvents(off), e => Assert.Null(e.PriorLogScores));

        await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = off.ToString() }, await api.OwnerHeaders());
        await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = plain.ToString() }, await api.OwnerHeaders());
        (a, b) = (await State(off), await State(plain));
        Assert.Equal(b.Confidence, a.Confidence, 9);
        Assert.Null(a.PriorLogScores);
    }

    [Fact]
    public async Task A_weight_outside_zero_to_one_is_refused_with_a_clear_message()
    {
        var project = await api.ProjectWithImages(images: 1, maxAnswers: 3);
        var headers = await api.OwnerHeaders();
        headers.Add("accept-language", "en");
        var bad = await Assert.ThrowsAsync<RpcException>(() => _models.SetModelPriorWeightAsync(
            new SetModelPriorWeightRequest { ProjectId = project.ToString(), Weight = 1.5 }, headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("The model's weight in consensus is between 0 (no effect) and 1.", bad.Status.Detail, StringComparison.Ordinal);

        var french = await api.OwnerHeaders();
        french.Add("accept-language", "fr");
        var negative = await Assert.ThrowsAsync<RpcException>(() => _models.SetModelPriorWeightAsync(
            new SetModelPriorWeightRequest { ProjectId = project.ToString(), Weight = -0.1 }, french).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Contains("Le poids du modèle dans le consensus va de 0 (sans effet) à 1.", negative.Status.Detail, StringComparison.Ordinal);

        var settings = ContractSettings();
        settings.ModelPriorWeight = 2;
        var create = await Assert.ThrowsAsync<RpcException>(() => _projects.CreateProjectAsync(new CreateProjectRequest { Settings = settings }, headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, create.StatusCode);
        Assert.Contains("between 0 (no effect) and 1", create.Status.Detail, StringComparison.Ordinal);

        var set = await _models.SetModelPriorWeightAsync(new SetModelPriorWeightRequest { ProjectId = project.ToString(), Weight = 0.25 }, headers);
        Assert.Equal(0.25, set.ModelPriorWeight);
        var stored = await _projects.GetProjectAsync(new GetProjectRequest { ProjectId = project.ToString() }, headers);
        Assert.Equal(0.25, stored.Settings.ModelPriorWeight);
        Assert.Equal(0.25, (await _models.GetModelOverviewAsync(new GetModelOverviewRequest { ProjectId = project.ToString() }, headers)).ModelPriorWeight);
    }

    [Fact]
    public async Task Projects_created_without_a_weight_get_the_default_and_zero_is_kept()
    {
        var headers = await api.OwnerHeaders();
        var unset = await _projects.CreateProjectAsync(new CreateProjectRequest { Settings = ContractSettings() }, headers);
        Assert.Equal(Domain.Projects.ProjectSettings.DefaultModelPriorWeight, unset.Settings.ModelPriorWeight);

        var settings = ContractSettings();
        settings.ModelPriorWeight = 0;
        var off = await _projects.CreateProjectAsync(new CreateProjectRequest { Settings = settings }, headers);
        Assert.Equal(0, off.Settings.ModelPriorWeight);
    }

    [Fact]
    public async Task A_refit_keeps_the_prior_and_a_new_model_version_replaces_it()
    {
        var withPrior = await Project(weight: 1);
        var plain = await Project(weight: 1);
        await Predict(withPrior, "flat", 0.9);
        await Answer(withPrior, "flat");
        await Answer(plain, "flat");

        var headers = await api.OwnerHeaders();
        await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = withPrior.ToString() }, headers);
        await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = plain.ToString() }, headers);
        var (kept, crowdOnly) = (await State(withPrior), await State(plain));
        output.WriteLine($"after a refit: with prior {kept.Confidence:F4}, without {crowdOnly.Confidence:F4}");
        Assert.Equal("flat", kept.Label);
        Assert.Equal("v1", kept.PriorModelVersion);
        Assert.NotNull(kept.PriorLogScores);
        Assert.True(kept.Confidence > crowdOnly.Confidence + 0.01, $"{kept.Confidence} vs {crowdOnly.Confidence}");
        var refitted = (await BeliefEvents(withPrior)).Last();
        Assert.Equal(kept.FitId, refitted.FitId);
        Assert.Equal("v1", refitted.PriorModelVersion);

        // A second refit with nothing new keeps the same belief (the prior is not added twice).
        await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = withPrior.ToString() }, headers);
        Assert.Equal(kept.Confidence, (await State(withPrior)).Confidence, 9);

        // A new version that now leans to "other": the next refit takes its prior instead of v1's.
        await Predict(withPrior, "other", 0.9, version: "v2");
        await _projects.RefitConsensusAsync(new RefitConsensusRequest { ProjectId = withPrior.ToString() }, headers);
        var replaced = await State(withPrior);
        output.WriteLine($"after v2 and a refit: {replaced.Label} {replaced.Confidence:F4}");
        Assert.Equal("v2", replaced.PriorModelVersion);
        Assert.True(replaced.Label != "flat" || replaced.Confidence < crowdOnly.Confidence, $"{replaced.Label} {replaced.Confidence}");

        // And the answer path replaces a prior too: v3 leans to "flat" again, the next answer starts from it.
        await Predict(withPrior, "flat", 0.9, version: "v3");
        await Answer(withPrior, "flat");
        await Answer(plain, "flat");
        var answered = await State(withPrior);
        Assert.Equal("v3", answered.PriorModelVersion);
        Assert.Equal("flat", answered.Label);
        Assert.True(answered.Confidence > (await State(plain)).Confidence);
    }

    private static Contracts.V1.ProjectSettings ContractSettings()
    {
        var settings = new Contracts.V1.ProjectSettings
        {
            Title = "Prior " + Guid.NewGuid().ToString("N")[..8],
            Question = "Orientation ?",
            AnswersPerItem = 3,
        };
        settings.Choices.Add(new Choice { Key = "a", Label = "A" });
        settings.Choices.Add(new Choice { Key = "b", Label = "B" });
        return settings;
    }

    private async Task<Guid> Project(double weight)
    {
        var project = await api.ProjectWithImages(images: 1, maxAnswers: 6, minAnswers: 2, confidenceTarget: Target);
        await using var scope = api.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var owner = (await session.LoadAsync<Domain.Projects.Project>(project))!.OwnerIds[0];
        await mediator.Send(new SetModelPriorWeight(owner, project, weight));
        return project;
    }

    /// <summary>Appends a prediction for the project's one item, as the training job does (equal class shares).</summary>
    private async Task Predict(Guid project, string label, double confidence, bool inTrainingSet = false, string version = "v1")
    {
        var item = await State(project);
        var rest = (1 - confidence) / (Choices.Length - 1);
        var probabilities = Choices.ToDictionary(c => c, c => c == label ? confidence : rest, StringComparer.Ordinal);
        await using var session = api.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.Append(item.Id, new ItemPredicted(
            item.Id, project, Guid.NewGuid(), version, label, confidence, probabilities, inTrainingSet, DateTimeOffset.UtcNow,
            Choices.ToDictionary(c => c, _ => 0.25, StringComparer.Ordinal)));
        await session.SaveChangesAsync();
    }

    private async Task Answer(Guid project, string choice)
    {
        var who = new ContributorIdentity { SessionToken = await api.NewWebSession(project) };
        NextTaskResponse next;
        var waited = 0;
        while ((next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who })).Task is null && waited++ < 40)
        {
            await Task.Delay(100); // the node's candidate list is refreshed about once a second
        }

        Assert.NotNull(next.Task);
        await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
            Choice = choice, IdempotencyKey = Guid.NewGuid().ToString(),
        });
    }

    private async Task<ItemProgress> State(Guid project)
    {
        await using var session = api.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<ItemProgress>().SingleAsync(p => p.ProjectId == project);
    }

    /// <summary>The item's beliefs in its history, oldest first: those its answers carry and those of refits.</summary>
    private async Task<IReadOnlyList<AnswerBelief>> BeliefEvents(Guid project)
    {
        await using var session = api.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var item = await session.Query<ItemProgress>().SingleAsync(p => p.ProjectId == project);
        var events = await session.Events.FetchStreamAsync(item.Id);
        List<AnswerBelief> beliefs = [.. events.Select(e => e.Data switch
        {
            AnswerSubmitted { Belief: { } b } => b,
            ItemBeliefUpdated u => new AnswerBelief(u.Label, u.Confidence, u.LogScores, u.Evidence, u.FitId, u.PriorLogScores, u.PriorModelVersion, u.PriorWeight),
            _ => null,
        }).OfType<AnswerBelief>()];
        Assert.NotEmpty(beliefs);
        return beliefs;
    }
}
