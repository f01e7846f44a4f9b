using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CoConstruisons.Contracts.V1;
using Grpc.Core;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class UploadTests(ApiFixture api)
{
    private readonly ProjectService.ProjectServiceClient _projects = new(api.Channel);

    private async Task<(string ProjectId, string Token)> NewProject()
    {
        var headers = await api.OwnerHeaders();
        var project = await _projects.CreateProjectAsync(new CreateProjectRequest
        {
            Settings = new ProjectSettings
            {
                Title = "Envois " + Guid.NewGuid().ToString("N")[..6],
                Question = "Q ?",
                Choices = { new Choice { Label = "A" }, new Choice { Label = "B" } },
                AnswersPerItem = 1,
            },
        }, headers);
        return (project.Id, headers.GetValue("authorization")!);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Upload(string projectId, string? authorization, params (string Name, byte[] Bytes)[] files)
    {
        using var http = new HttpClient { BaseAddress = api.WebUrl };
        using var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", name);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/{projectId}/images") { Content = form };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        using var response = await http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body);
    }

    private async Task<int> ItemCount(string projectId, string token) =>
        (await _projects.ListItemsAsync(new ListItemsRequest { ProjectId = projectId }, new Metadata { { "authorization", token } })).Total;

    private static string[] Names(JsonElement body, string list) =>
        body.GetProperty(list).EnumerateArray().Select(e => e.GetProperty("fileName").GetString()!).ToArray();

    private static string Reason(JsonElement body, string file) =>
        body.GetProperty("rejected").EnumerateArray().Single(e => e.GetProperty("fileName").GetString() == file).GetProperty("reason").GetString()!;

    [Theory]
    [InlineData("cut", "en")]
    [InlineData("no-boundary-in-body", "fr")]
    public async Task A_multipart_body_cut_short_or_without_its_boundary_is_a_clear_400_and_adds_nothing(string kind, string language)
    {
        var (projectId, token) = await NewProject();
        var part = "--zzz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";
        var body = kind == "cut" ? part + "abc" : "no boundary anywhere in this body";
        using var http = new HttpClient { BaseAddress = api.WebUrl };
        using var content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("content-type", "multipart/form-data; boundary=zzz");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/projects/{projectId}/images") { Content = content };
        request.Headers.TryAddWithoutValidation("authorization", token);
        request.Headers.TryAddWithoutValidation("accept-language", language);

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith(language == "en" ? "Unreadable upload: the multipart form is incomplete or malformed" : "Envoi illisible : le formulaire multipart est incomplet ou mal formé", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        Assert.Equal(0, await ItemCount(projectId, token));
    }

    [Fact]
    public async Task A_csv_manifest_with_a_zip_adds_one_item_per_row_with_its_columns_and_reports_the_rest()
    {
        var (projectId, token) = await NewProject();
        var zip = TestImages.Zip(("photos/toit-1.png", TestImages.Png(20, 20, 41)), ("photos/toit-2.png", TestImages.Png(20, 20, 42)), ("photos/extra.png", TestImages.Png(8, 8, 43)));
        var manifest = """
            fichier,commune,surface_m2
            photos/toit-1.png,Lyon,12
            toit-2.png,"Saint-Étienne, Loire",30
            http://127.0.0.1:9/private.png,Paris,1
            absent.png,Metz,4
            photos/toit-1.png,Lyon
            """u8.ToArray();

        var (status, body) = await Upload(projectId, token, ("manifest.csv", manifest), ("images.zip", zip));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["toit-1.png", "toit-2.png"], Names(body, "added"));
        var report = body.GetProperty("manifest");
        Assert.Equal("fichier", report.GetProperty("imageColumn").GetString());
        Assert.Equal(5, report.GetProperty("rows").GetInt32());
        var bad = Assert.Single(report.GetProperty("badRows").EnumerateArray());
        Assert.Equal(6, bad.GetProperty("line").GetInt32());
        Assert.Contains("tronquée", bad.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // The server never fetches its own network for an owner's URL.
        Assert.Contains("adresse privée ou locale refusée", Reason(body, "ligne 4 : http://127.0.0.1:9/private.png"), StringComparison.Ordinal);
        Assert.Contains("introuvable", Reason(body, "ligne 5 : absent.png"), StringComparison.Ordinal);
        Assert.Equal(["photos/extra.png"], report.GetProperty("unreferenced").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, await ItemCount(projectId, token));
    }

    [Fact]
    public async Task A_manifest_with_a_header_and_no_row_is_refused_whole()
    {
        var (projectId, token) = await NewProject();

        var (status, body) = await Upload(projectId, token, ("manifest.csv", "fichier,commune\n"u8.ToArray()), ("a.png", TestImages.Png(20, 20, 44)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Manifeste « manifest.csv » refusé : aucune ligne après l'en-tête (une ligne par image attendue).", body.GetProperty("error").GetString());
        Assert.Equal(0, await ItemCount(projectId, token));
    }

    [Fact]
    public async Task Good_images_are_added_and_bad_files_are_rejected_each_with_its_reason()
    {
        var (projectId, token) = await NewProject();
        var truncated = TestImages.Jpeg(160, 160, 3);

        var (status, body) = await Upload(projectId, token,
            ("a.png", TestImages.Png(32, 24, 1)),
            ("b.jpg", TestImages.Jpeg(40, 30, 2)),
            ("notes.txt", "pas une image"u8.ToArray()),
            ("cut.jpg", truncated[..(truncated.Length * 2 / 3)]),
            ("bomb.png", TestImages.PngBombHeader(30_000, 30_000)),
            ("huge.png", new byte[300_000]));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["a.png", "b.jpg"], Names(body, "added"));
        Assert.Contains("pas une image lisible", Reason(body, "notes.txt"), StringComparison.Ordinal);
        Assert.Contains("tronquée", Reason(body, "cut.jpg"), StringComparison.Ordinal);
        Assert.Contains("30000×30000", Reason(body, "bomb.png"), StringComparison.Ordinal);
        Assert.Contains("trop gros", Reason(body, "huge.png"), StringComparison.Ordinal);
        Assert.Equal(2, await ItemCount(projectId, token));
    }

    [Fact]
    public async Task A_zip_is_expanded_and_duplicates_are_skipped_and_reported()
    {
        var (projectId, token) = await NewProject();
        var image = TestImages.Png(20, 20, 7);
        await Upload(projectId, token, ("first.png", image));

        var (status, body) = await Upload(projectId, token, ("lot.zip", TestImages.Zip(
            ("dossier/one.png", TestImages.Png(20, 20, 8)),
            ("dossier/again.png", image),
            ("two.png", TestImages.Png(20, 20, 9)),
            ("copy-of-two.png", TestImages.Png(20, 20, 9)))));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["one.png", "two.png"], Names(body, "added"));
        Assert.Equal(["dossier/again.png", "copy-of-two.png"], Names(body, "duplicates"));
        Assert.Equal(3, await ItemCount(projectId, token));
    }

    [Theory]
    [InlineData("traversal", "chemin interdit")]
    [InlineData("absolute", "chemin interdit")]
    [InlineData("nested", "archive imbriquée")]
    [InlineData("empty", "aucun fichier")]
    [InlineData("bomb", "bombe de décompression")]
    public async Task Unsafe_archives_are_refused_whole_and_add_nothing(string kind, string expected)
    {
        var (projectId, token) = await NewProject();
        var good = ("good.png", TestImages.Png(16, 16, 1));
        var archive = kind switch
        {
            "traversal" => TestImages.Zip(good, ("../../etc/evil.png", TestImages.Png(16, 16, 2))),
            "absolute" => TestImages.Zip(good, ("/tmp/evil.png", TestImages.Png(16, 16, 3))),
            "nested" => TestImages.Zip(good, ("inner.zip", TestImages.Zip(("x.png", TestImages.Png(16, 16, 4))))),
            "empty" => TestImages.Zip(),
            _ => TestImages.Zip(good, ("zeros.png", new byte[150_000])),
        };

        var (status, body) = await Upload(projectId, token, ("lot.zip", archive));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await ItemCount(projectId, token));
    }

    [Fact]
    public async Task Uploads_need_the_owners_token_and_never_reach_another_owners_project()
    {
        var (projectId, _) = await NewProject();
        var file = ("a.png", TestImages.Png(8, 8, 1));

        var (anonymous, anonymousBody) = await Upload(projectId, null, file);
        var (unknown, _) = await Upload(Guid.NewGuid().ToString(), (await api.OwnerHeaders()).GetValue("authorization"), file);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Contains("Connexion requise", anonymousBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
    }
}
