using CoConstruisons.Application.Owners;
using CoConstruisons.Contracts.V1;
using Google.Rpc;
using Grpc.Core;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class ProjectServiceTests(ApiFixture api)
{
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);

    private static ProjectSettings ValidSettings(string title = "Toits de Lyon") => new()
    {
        Title = title,
        Question = "Dans quel sens est ce toit ?",
        Choices = { new Choice { Label = "Nord–sud" }, new Choice { Label = "Est–ouest" } },
        AllowDontKnow = true,
        AnswersPerItem = 3,
    };

    private async Task<Metadata> SecondOwner()
    {
        await using var scope = api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>()
            .Send(new RegisterOwner("other@example.fr", "Autre porteur", "other-password"));
        return await api.OwnerHeaders("other@example.fr", "other-password");
    }

    [Fact]
    public async Task An_owner_creates_a_project_and_finds_it_in_their_list_with_keys_derived_from_labels()
    {
        var headers = await api.OwnerHeaders();

        var created = await _projects.CreateProjectAsync(new CreateProjectRequest { Settings = ValidSettings("Créé par le test") }, headers);
        var list = await _projects.ListProjectsAsync(new ListProjectsRequest(), headers);

        Assert.Contains(list.Projects, p => p.Id == created.Id && p.Settings.Title == "Créé par le test");
        Assert.Equal(["nord_sud", "est_ouest"], created.Settings.Choices.Select(c => c.Key));
        Assert.Equal($"/#/label/{created.Id}", created.PublicPath);
    }

    [Fact]
    public async Task The_language_of_a_projects_texts_is_kept_and_shown_to_contributors_french_when_unsaid()
    {
        var headers = await api.OwnerHeaders();
        var english = ValidSettings("Roofs of Leeds");
        english.Language = "en";
        var contributors = new ContributorService.ContributorServiceClient(api.Channel);

        var createdEnglish = await _projects.CreateProjectAsync(new CreateProjectRequest { Settings = english }, headers);
        var createdUnsaid = await _projects.CreateProjectAsync(new CreateProjectRequest { Settings = ValidSettings("Toits de Nantes") }, headers);
        var publicEnglish = await contributors.GetPublicProjectAsync(new GetPublicProjectRequest { ProjectId = createdEnglish.Id });
        var publicUnsaid = await contributors.GetPublicProjectAsync(new GetPublicProjectRequest { ProjectId = createdUnsaid.Id });

        Assert.Equal(("en", "fr"), (createdEnglish.Settings.Language, createdUnsaid.Settings.Language));
        Assert.Equal(("en", "fr"), (publicEnglish.Language, publicUnsaid.Language));
    }

    [Fact]
    public async Task A_language_other_than_french_or_english_is_refused_naming_the_field()
    {
        var settings = ValidSettings();
        settings.Language = "de";

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _projects.CreateProjectAsync(new CreateProjectRequest { Settings = settings }, api.OwnerHeaders().Result).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fields = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations;
        Assert.Contains(fields, f => f.Field.EndsWith("Language", StringComparison.Ordinal) && f.Description.Contains("pas « de »", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_field_violations_in_french()
    {
        var settings = ValidSettings();
        settings.Title = " ";
        settings.Choices.RemoveAt(1);
        settings.AnswersPerItem = 0;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _projects.CreateProjectAsync(new CreateProjectRequest { Settings = settings }, api.OwnerHeaders().Result).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fields = error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations;
        Assert.Contains(fields, f => f.Field.EndsWith("Title", StringComparison.Ordinal) && f.Description == "Le titre est obligatoire.");
        Assert.Contains(fields, f => f.Field.EndsWith("Choices", StringComparison.Ordinal) && f.Description.Contains("entre 2 et 10", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.Field.EndsWith("AnswersPerItem", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_are_in_english_when_the_caller_asks_for_english()
    {
        var headers = await api.OwnerHeaders();
        headers.Add("accept-language", "en");
        var settings = ValidSettings();
        settings.Title = "";

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _projects.CreateProjectAsync(new CreateProjectRequest { Settings = settings }, headers).ResponseAsync);

        Assert.Contains("A title is required.", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_without_credentials_or_with_a_forged_token_are_unauthenticated()
    {
        var none = await Assert.ThrowsAsync<RpcException>(() => _projects.ListProjectsAsync(new ListProjectsRequest()).ResponseAsync);
        var forged = await Assert.ThrowsAsync<RpcException>(() => _projects.ListProjectsAsync(
            new ListProjectsRequest(), new Metadata { { "authorization", "Bearer eyJQIjp7fX0.c2lnbmF0dXJl" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
        Assert.Contains("Connexion requise", none.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_owners_project_is_not_found_until_they_are_added_as_co_owner()
    {
        var other = await SecondOwner();
        var mine = await _projects.CreateProjectAsync(new CreateProjectRequest { Settings = ValidSettings("Privé") }, await api.OwnerHeaders());

        var hidden = await Assert.ThrowsAsync<RpcException>(() =>
            _projects.GetProjectAsync(new GetProjectRequest { ProjectId = mine.Id }, other).ResponseAsync);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            _projects.GetProjectAsync(new GetProjectRequest { ProjectId = Guid.NewGuid().ToString() }, other).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(missing.StatusCode, hidden.StatusCode);
        Assert.DoesNotContain((await _projects.ListProjectsAsync(new ListProjectsRequest(), other)).Projects, p => p.Id == mine.Id);

        var shared = await _projects.AddCoOwnerAsync(new AddCoOwnerRequest { ProjectId = mine.Id, Email = "Other@Example.fr" }, await api.OwnerHeaders());

        Assert.Contains("other@example.fr", shared.OwnerEmails);
        Assert.Equal("Privé", (await _projects.GetProjectAsync(new GetProjectRequest { ProjectId = mine.Id }, other)).Settings.Title);
    }

    [Fact]
    public async Task A_malformed_project_id_is_an_invalid_argument_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _projects.GetProjectAsync(new GetProjectRequest { ProjectId = "not-a-guid" }, api.OwnerHeaders().Result).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("project_id", error.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task The_demo_project_lists_its_generated_images_with_thumbnails_that_load()
    {
        var items = await _projects.ListItemsAsync(new ListItemsRequest { ProjectId = api.DemoProjectId.ToString() }, await api.OwnerHeaders());

        Assert.Equal(8, items.Total);
        using var http = new HttpClient();
        var thumbnail = await http.GetAsync(items.Items[0].ThumbnailUrl);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.True((await thumbnail.Content.ReadAsByteArrayAsync()).Length > 100);
    }
}
