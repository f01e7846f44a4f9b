using System.IO.Compression;
using System.Net;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Items;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

/// <summary>The model loop through the Api: gRPC ModelService, the clustered Quartz job, the download endpoint.</summary>
[Collection(nameof(ApiCollection))]
public sealed class ModelServiceTests(ApiFixture api)
{
    private readonly ModelService.ModelServiceClient _models = new(api.Channel);

    [Fact]
    public async Task An_owner_trains_on_demand_follows_the_run_to_done_and_downloads_the_version()
    {
        var project = await api.ProjectWithImages(images: 60, maxAnswers: 3);
        await LabelAll(project);
        var headers = await api.OwnerHeaders();

        var queued = await _models.TrainModelAsync(new TrainModelRequest { ProjectId = project.ToString() }, headers);
        Assert.Contains(queued.State, new[] { ModelTrainingState.Queued, ModelTrainingState.Running });
        var again = await _models.TrainModelAsync(new TrainModelRequest { ProjectId = project.ToString() }, headers);
        Assert.Equal(queued.Id, again.Id);

        ModelOverview overview;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        do
        {
            await Task.Delay(500);
            overview = await _models.GetModelOverviewAsync(new GetModelOverviewRequest { ProjectId = project.ToString() }, headers);
        }
        while (overview.LatestTraining.State is ModelTrainingState.Queued or ModelTrainingState.Running && DateTime.UtcNow < deadline);

        Assert.True(overview.LatestTraining.State == ModelTrainingState.Done, overview.LatestTraining.Message);
        var version = Assert.Single(overview.Versions);
        Assert.Equal("v1", version.Version);
        Assert.Equal(60, version.LabelledItems);
        Assert.Equal(4, version.PerClass.Count);
        Assert.Equal(version.TestItems, version.Confusion.Sum(r => r.Counts.Sum()));
        Assert.Equal(60, version.Predicted);

        using var http = new HttpClient { BaseAddress = api.WebUrl };
        using var anonymous = await http.GetAsync(version.DownloadPath);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, version.DownloadPath);
        request.Headers.TryAddWithoutValidation("authorization", headers.GetValue("authorization"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        Assert.Equal(["metadata.json", "model.zip", "network.bin"], zip.Entries.Select(e => e.Name).Order());
    }

    [Fact]
    public async Task A_run_whose_process_died_is_shown_interrupted_and_no_longer_blocks_a_new_one()
    {
        var project = await api.ProjectWithImages(images: 60, maxAnswers: 3);
        await LabelAll(project);
        var headers = await api.OwnerHeaders();
        // What a crash mid-training leaves: a run "running" whose heartbeat stopped six minutes ago, and one that
        // wrote a minute ago (its process may well be alive: it still blocks).
        var now = DateTimeOffset.UtcNow;
        var dead = new CoConstruisons.Application.Models.ModelTrainingRun
        {
            Id = Guid.CreateVersion7(), ProjectId = project, State = CoConstruisons.Application.Models.ModelTrainingState.Running,
            Stage = "network", Done = 60, Total = 1140, RequestedAt = now.AddMinutes(-30), StartedAt = now.AddMinutes(-30), UpdatedAt = now.AddMinutes(-6),
        };
        await using (var scope = api.Services.CreateAsyncScope())
        await using (var session = scope.ServiceProvider.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(dead);
            await session.SaveChangesAsync();
        }

        var overview = await _models.GetModelOverviewAsync(new GetModelOverviewRequest { ProjectId = project.ToString() }, headers);
        var next = await _models.TrainModelAsync(new TrainModelRequest { ProjectId = project.ToString() }, headers);

        Assert.Equal(dead.Id.ToString(), overview.LatestTraining.Id);
        Assert.Equal(ModelTrainingState.Failed, overview.LatestTraining.State);
        Assert.Contains("Entraînement interrompu", overview.LatestTraining.Message, StringComparison.Ordinal);
        Assert.NotEqual(dead.Id.ToString(), next.Id); // a new run, not the dead one
        Assert.Contains(next.State, new[] { ModelTrainingState.Queued, ModelTrainingState.Running });
        var again = await _models.TrainModelAsync(new TrainModelRequest { ProjectId = project.ToString() }, headers);
        Assert.Equal(next.Id, again.Id); // the new one, alive, blocks a third

        // Let it finish, so that nothing trains on after the test.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline &&
               (await _models.GetModelOverviewAsync(new GetModelOverviewRequest { ProjectId = project.ToString() }, headers)).LatestTraining.State
               is ModelTrainingState.Queued or ModelTrainingState.Running)
        {
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task A_training_cancelled_by_a_stopping_server_records_itself_interrupted_in_words()
    {
        var project = await api.ProjectWithImages(images: 60, maxAnswers: 3);
        await LabelAll(project);
        var headers = await api.OwnerHeaders();
        var runId = Guid.CreateVersion7();

        // What the scheduler does to a running job when the server stops (ShutdownJobInterruption): cancel its token,
        // here as soon as the run says it is running (whatever the machine's speed, before it can finish).
        using var stopping = new CancellationTokenSource();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<Mediator.IMediator>();
            var training = Task.Run(async () => await mediator.Send(new CoConstruisons.Application.Models.TrainProjectModel(project, runId), stopping.Token));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !training.IsCompleted)
            {
                var latest = (await _models.GetModelOverviewAsync(new GetModelOverviewRequest { ProjectId = project.ToString() }, headers)).LatestTraining;
                if (latest is not null && latest.Id == runId.ToString() && latest.State == ModelTrainingState.Running)
                {
                    break;
                }

                await Task.Delay(20);
            }

            await stopping.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => training);
        }

        var overview = await _models.GetModelOverviewAsync(new GetModelOverviewRequest { ProjectId = project.ToString() }, headers);
        Assert.Equal(runId.ToString(), overview.LatestTraining.Id);
        Assert.Equal(ModelTrainingState.Failed, overview.LatestTraining.State);
        Assert.Equal("Entraînement interrompu : le serveur s'est arrêté pendant l'entraînement. Relancez-le.", overview.LatestTraining.Message);
        Assert.Empty(overview.Versions);
    }

    [Fact]
    public async Task Training_a_project_with_too_few_confident_labels_is_refused_with_the_counts()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _models.TrainModelAsync(
            new TrainModelRequest { ProjectId = api.DemoProjectId.ToString() }, api.OwnerHeaders().Result).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("40", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_auto_label_target_is_validated_and_kept()
    {
        var project = await api.ProjectWithImages(images: 1, maxAnswers: 3);
        var headers = await api.OwnerHeaders();
        var bad = await Assert.ThrowsAsync<RpcException>(() => _models.SetAutoLabelPrecisionAsync(
            new SetAutoLabelPrecisionRequest { ProjectId = project.ToString(), Precision = 0.2 }, headers).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);

        var set = await _models.SetAutoLabelPrecisionAsync(new SetAutoLabelPrecisionRequest { ProjectId = project.ToString(), Precision = 0.95 }, headers);

        Assert.Equal(0.95, set.AutoLabelPrecision);
        var stored = await new ProjectService.ProjectServiceClient(api.Channel).GetProjectAsync(new GetProjectRequest { ProjectId = project.ToString() }, headers);
        Assert.Equal(0.95, stored.Settings.AutoLabelPrecision);
    }

    /// <summary>Every generated roof gets the confident consensus label it was drawn with (toit-0001 is north_south, then east_west, flat, other, …).</summary>
    private async Task LabelAll(Guid project)
    {
        var choices = new[] { "north_south", "east_west", "flat", "other" };
        await using var session = api.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        var items = await session.Query<Item>().Where(i => i.ProjectId == project).ToListAsync();
        var now = DateTimeOffset.UtcNow;
        foreach (var item in items)
        {
            var label = choices[(int.Parse(item.FileName[5..9], System.Globalization.CultureInfo.InvariantCulture) - 1) % 4];
            session.Events.Append(item.Id,
                new ItemBeliefUpdated(item.Id, project, label, 0.99, [0, 0, 0, 0], 3, Guid.Empty, now),
                new ItemRetired(item.Id, project, label, 0.99, 3, now));
        }

        await session.SaveChangesAsync();
    }
}
