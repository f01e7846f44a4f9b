using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Images.ImportTiles;
using CoConstruisons.Infrastructure.Images;
using CoConstruisons.Tests.Shared;
using Microsoft.Playwright;

namespace CoConstruisons.EndToEnd.Tests;

/// <summary>
/// The whole portal as people use it, in Debian's Chromium: an owner signs in, creates a project
/// and uploads a .zip of images; a contributor opens the public page, accepts the consent notice
/// and labels three images; the owner's CSV export then holds exactly those three answers.
/// At each view the flows reach, axe checks the WCAG 2.0/2.1 A and AA rules (Accessibility), in
/// French and, where the flow switches, in English.
/// </summary>
public sealed class PortalFlowTests : IAsyncLifetime
{
    private const int ImagesInZip = 5;

    private ApiServer? server;
    private ChromiumSession? chromium;

    private IBrowser Browser => chromium!.Browser;

    public async Task InitializeAsync()
    {
        server = await ApiServer.StartAsync();
        chromium = await ChromiumSession.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }

        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Owner_uploads_a_zip_a_contributor_labels_three_images_and_the_csv_export_holds_those_answers()
    {
        var baseUrl = server!.BaseUrl;

        // Owner: sign in with the demo credentials.
        await using var ownerContext = await Browser.NewContextAsync(new() { AcceptDownloads = true, BaseURL = baseUrl });
        var owner = await ownerContext.NewPageAsync();
        var pageErrors = new List<string>();
        owner.PageError += (_, e) => pageErrors.Add(e);
        owner.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                pageErrors.Add(m.Text);
            }
        };
        await owner.GotoAsync("/");
        await Assertions.Expect(owner.GetByTestId("signin-submit")).ToBeVisibleAsync();
        await Accessibility.AssertNoViolationsAsync(owner, "sign-in");
        // Each view's title names it (WCAG 2.4.2): its heading, then the site.
        await Assertions.Expect(owner).ToHaveTitleAsync("Connexion des porteurs de projet — Co-construisons");
        // A wrong password: the server's message, announced (role alert), and the password field has the focus again.
        await owner.GetByTestId("signin-email").FillAsync(ApiServer.DemoEmail);
        await owner.GetByTestId("signin-password").FillAsync(ApiServer.DemoPassword + "-faux");
        await owner.GetByTestId("signin-submit").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("form-error")).ToHaveTextAsync("Adresse ou mot de passe incorrect.");
        await Assertions.Expect(owner.GetByTestId("form-error")).ToHaveAttributeAsync("role", "alert");
        await Assertions.Expect(owner.GetByTestId("signin-password")).ToBeFocusedAsync();
        await Accessibility.AssertNoViolationsAsync(owner, "sign-in, wrong password");
        await owner.GetByTestId("signin-password").FillAsync(ApiServer.DemoPassword);
        await owner.GetByTestId("signin-submit").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("project-card")).ToHaveCountAsync(1); // the seeded demo project
        await Accessibility.AssertNoViolationsAsync(owner, "projects (with the OpenSolarMap import form)");

        // Create a project; an empty title first shows the server's validator message, in French.
        await owner.GetByTestId("new-project").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("create-submit")).ToBeVisibleAsync();
        await Accessibility.AssertNoViolationsAsync(owner, "new project");
        await owner.GetByTestId("project-question").FillAsync("Dans quel sens est orienté ce toit ?");
        await owner.GetByTestId("create-submit").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("form-error")).ToContainTextAsync("Le titre est obligatoire.");
        // The message also stands beside the title, which is marked invalid and has the focus.
        await Assertions.Expect(owner.GetByTestId("project-title")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(owner.GetByTestId("project-title")).ToBeFocusedAsync();
        await Assertions.Expect(owner.Locator(".field.invalid").First).ToContainTextAsync("Le titre est obligatoire.");
        await Accessibility.AssertNoViolationsAsync(owner, "new project, title refused");

        // In English the page and the server's messages (accept-language) switch; back to French after.
        await owner.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("create-submit")).ToHaveTextAsync("Create the project");
        await owner.GetByTestId("create-submit").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("form-error")).ToContainTextAsync("A title is required.");
        await Accessibility.AssertNoViolationsAsync(owner, "new project, title refused, in English");
        await Assertions.Expect(owner).ToHaveTitleAsync("New project — Co-construisons");
        await owner.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("create-submit")).ToHaveTextAsync("Créer le projet");

        await owner.GetByTestId("project-title").FillAsync("Toits de la commune (E2E)");
        await owner.GetByTestId("choice-label-0").FillAsync("Nord–sud");
        await owner.GetByTestId("choice-label-1").FillAsync("Est–ouest");
        await owner.GetByTestId("choice-add").ClickAsync();
        await owner.GetByTestId("choice-label-2").FillAsync("Plat");
        await owner.GetByTestId("answers-per-item").FillAsync("2");
        await Assertions.Expect(owner.GetByTestId("project-language")).ToHaveValueAsync("fr"); // the page's language, by default
        await owner.GetByTestId("create-submit").ClickAsync();
        var projectPage = owner.GetByTestId("project-page");
        await Assertions.Expect(projectPage).ToBeVisibleAsync();
        await Assertions.Expect(owner.GetByTestId("project-title")).ToHaveTextAsync("Toits de la commune (E2E)");
        await Assertions.Expect(owner).ToHaveTitleAsync("Toits de la commune (E2E) — Co-construisons");

        // Upload one .zip of generated roof images.
        await owner.GetByTestId("upload-input").SetInputFilesAsync(new FilePayload
        {
            Name = "toits.zip",
            MimeType = "application/zip",
            Buffer = RoofZip(ImagesInZip),
        });
        var report = owner.GetByTestId("upload-report");
        await Assertions.Expect(report).ToHaveAttributeAsync("data-added", ImagesInZip.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(report).ToHaveAttributeAsync("data-rejected", "0");
        await Assertions.Expect(owner.GetByTestId("item-card")).ToHaveCountAsync(ImagesInZip);
        await Accessibility.AssertNoViolationsAsync(owner, "project page after an upload (report, item cards)");

        // Contributor: a separate browser context (no shared storage) opens the public link.
        var publicUrl = await owner.GetByTestId("public-link").GetAttributeAsync("href");
        Assert.NotNull(publicUrl);
        Assert.StartsWith(baseUrl + "/#/label/", publicUrl, StringComparison.Ordinal);
        await using var contributorContext = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var contributor = await contributorContext.NewPageAsync();
        contributor.PageError += (_, e) => pageErrors.Add(e);
        var taskCalls = new System.Collections.Concurrent.ConcurrentQueue<string>();
        contributor.Request += (_, r) =>
        {
            if (r.Url.Contains("/coconstruisons.v1.TaskService/", StringComparison.Ordinal))
            {
                taskCalls.Enqueue(r.Url[(r.Url.LastIndexOf('/') + 1)..]);
            }
        };
        await contributor.GotoAsync(publicUrl);
        await Assertions.Expect(contributor.GetByTestId("label-title")).ToHaveTextAsync("Toits de la commune (E2E)");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page: consent notice");
        await Assertions.Expect(contributor).ToHaveTitleAsync("Toits de la commune (E2E) — Co-construisons");
        await contributor.GetByTestId("consent-accept").ClickAsync();

        // Three answers: a click, the keyboard shortcut "2", and a third click.
        var given = new Dictionary<string, string>();
        var answerWays = new (string Choice, Func<Task> Give)[]
        {
            ("nord_sud", () => contributor.GetByTestId("choice-nord_sud").ClickAsync()),
            ("est_ouest", () => contributor.Keyboard.PressAsync("2")),
            ("plat", () => contributor.GetByTestId("choice-plat").ClickAsync()),
        };
        var task = contributor.GetByTestId("task");
        await Assertions.Expect(task).ToHaveAttributeAsync("data-state", "ready");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page: an image to label");
        foreach (var (choice, give) in answerWays)
        {
            await Assertions.Expect(task).ToHaveAttributeAsync("data-state", "ready");
            var itemId = await task.GetAttributeAsync("data-item-id");
            Assert.False(string.IsNullOrEmpty(itemId));
            Assert.False(given.ContainsKey(itemId!), $"Item {itemId} was shown twice.");
            await Assertions.Expect(contributor.GetByTestId("task-image")).ToHaveAttributeAsync("src", $"/images/{itemId}");
            await give();
            given[itemId!] = choice;
            await Assertions.Expect(contributor.GetByTestId("my-answers")).ToContainTextAsync($": {given.Count}");
            await Assertions.Expect(task).Not.ToHaveAttributeAsync("data-item-id", itemId!);
        }

        // One call per answer: the next image came back with each answer (NextTask only for the first).
        Assert.Equal(["NextTask", "SubmitAnswer", "SubmitAnswer", "SubmitAnswer"], taskCalls.ToArray());

        // Skipping the images left ends on the thank-you screen; skips are not answers.
        for (var left = ImagesInZip - given.Count; left > 0; left--)
        {
            await Assertions.Expect(task).ToHaveAttributeAsync("data-state", "ready");
            var itemId = await task.GetAttributeAsync("data-item-id");
            Assert.False(given.ContainsKey(itemId!), $"Item {itemId} was shown again after being answered.");
            await contributor.GetByTestId("skip").ClickAsync();
            if (left > 1)
            {
                await Assertions.Expect(task).Not.ToHaveAttributeAsync("data-item-id", itemId!);
            }
        }

        await Assertions.Expect(contributor.GetByTestId("thanks")).ToBeVisibleAsync();
        await Assertions.Expect(contributor.GetByTestId("thanks-count")).ToContainTextAsync("3");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page: thank-you screen");
        await contributor.GetByTestId("lang-toggle").ClickAsync();
        await Assertions.Expect(contributor.GetByTestId("thanks")).ToContainTextAsync("Thank you!");
        // The page is English now, the owner's texts are still French, and say so to screen readers.
        await Assertions.Expect(contributor.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(contributor.GetByTestId("label-title")).ToHaveAttributeAsync("lang", "fr");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page: thank-you screen, in English");

        // Owner: the project page shows three answers, and the CSV export holds exactly them.
        await owner.ReloadAsync();
        await Assertions.Expect(owner.GetByTestId("project-progress")).ToContainTextAsync("3 réponses");
        // The participation chart: today's three answers by one contributor, drawn and in its table.
        var participation = owner.GetByTestId("activity-chart");
        await Assertions.Expect(participation.Locator("svg")).ToBeVisibleAsync();
        await participation.Locator("summary").ClickAsync();
        await Assertions.Expect(participation.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(participation.Locator("tbody tr td").First).ToHaveTextAsync("3");
        await Assertions.Expect(participation.Locator("tbody tr td").Nth(1)).ToHaveTextAsync("1");
        await Accessibility.AssertNoViolationsAsync(owner, "project page with answers (progress, participation chart and its table)");
        var download = await owner.RunAndWaitForDownloadAsync(() => owner.GetByTestId("export-csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        var answers = ParseAnswers(csv);
        Assert.Equal(given.OrderBy(kv => kv.Key), answers.OrderBy(kv => kv.Key));

        // The contributor downloads their data (their three answers), then erases it: the page
        // forgets the session, and the owner's export keeps the three answers, anonymous.
        await contributor.GetByTestId("my-data").Locator("summary").ClickAsync();
        var mine = await contributor.RunAndWaitForDownloadAsync(() => contributor.GetByTestId("my-data-export").ClickAsync());
        Assert.EndsWith(".json", mine.SuggestedFilename, StringComparison.Ordinal);
        var myData = JsonNode.Parse(await File.ReadAllTextAsync(await mine.PathAsync()))!;
        var pseudonym = myData["contributor"]!.GetValue<string>();
        var myAnswers = myData["records"]!.AsArray().Where(r => r!["type"]!.GetValue<string>() == "answer_submitted").ToList();
        Assert.Equal(3, myAnswers.Count);
        Assert.Equal(3, myData["answers"]!.AsArray().Count);
        Assert.Contains(pseudonym, csv, StringComparison.Ordinal);
        await Assertions.Expect(contributor.GetByTestId("label-status")).ToContainTextAsync("3 answers");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page: my data open, in English");
        contributor.Dialog += (_, dialog) => dialog.AcceptAsync();
        await contributor.GetByTestId("my-data-erase").ClickAsync();
        await Assertions.Expect(contributor.GetByTestId("consent")).ToBeVisibleAsync();
        await Assertions.Expect(contributor.GetByTestId("label-status")).ToContainTextAsync("erased: 3 answers");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page: consent again after erasure, in English");
        // They may start again, under a new pseudonym.
        await contributor.GetByTestId("consent-accept").ClickAsync();
        await Assertions.Expect(contributor.GetByTestId("label-page")).Not.ToHaveAttributeAsync("data-phase", "consent");
        var afterErasure = await owner.RunAndWaitForDownloadAsync(() => owner.GetByTestId("export-csv").ClickAsync());
        var csvAfter = await File.ReadAllTextAsync(await afterErasure.PathAsync());
        Assert.Equal(given.OrderBy(kv => kv.Key), ParseAnswers(csvAfter).OrderBy(kv => kv.Key));
        Assert.DoesNotContain(pseudonym, csvAfter, StringComparison.Ordinal);
        Assert.Empty(pageErrors);
    }

    /// <summary>item_id → choice for every answer row of the CSV export.</summary>
    private static Dictionary<string, string> ParseAnswers(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"CSV has no {name} column: {lines[0]}");
        var item = Column("item_id");
        var answerId = Column("answer_id");
        var choice = Column("choice");
        var channel = Column("channel");
        var result = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(','); // generated file names and keys hold no commas or quotes
            if (cells[answerId].Length == 0)
            {
                continue;
            }

            Assert.Equal("web", cells[channel]);
            Assert.True(result.TryAdd(cells[item], cells[choice]), $"Two answers for item {cells[item]}: {csv}");
        }

        return result;
    }

    private static byte[] RoofZip(int count)
    {
        var random = new Random(42);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < count; i++)
            {
                var kind = RoofImageGenerator.Choices[i % RoofImageGenerator.Choices.Length];
                var entry = zip.CreateEntry($"toits/toit-e2e-{i + 1:00}.jpg", CompressionLevel.NoCompression);
                using var stream = entry.Open();
                stream.Write(RoofImageGenerator.Draw(kind, random));
            }
        }

        return buffer.ToArray();
    }

    [Fact]
    public async Task An_english_project_on_a_french_page_has_its_texts_marked_english_for_screen_readers()
    {
        await using var ownerContext = await Browser.NewContextAsync(new() { BaseURL = server!.BaseUrl });
        var owner = await ownerContext.NewPageAsync();
        await owner.GotoAsync("/");
        await owner.GetByTestId("signin-email").FillAsync(ApiServer.DemoEmail);
        await owner.GetByTestId("signin-password").FillAsync(ApiServer.DemoPassword);
        await owner.GetByTestId("signin-submit").ClickAsync();
        await owner.GetByTestId("new-project").ClickAsync();
        await owner.GetByTestId("project-title").FillAsync("Roofs of Leeds");
        await owner.GetByTestId("project-question").FillAsync("Which way does this roof face?");
        await owner.GetByTestId("choice-label-0").FillAsync("North–south");
        await owner.GetByTestId("choice-label-1").FillAsync("East–west");
        await owner.GetByTestId("project-language").SelectOptionAsync("en");
        await owner.GetByTestId("create-submit").ClickAsync();
        var projectPage = owner.GetByTestId("project-page");
        await Assertions.Expect(projectPage).ToBeVisibleAsync();

        // The owner's page is French; the project's own texts say they are English.
        await Assertions.Expect(owner.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        await Assertions.Expect(owner.GetByTestId("project-title")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(owner.GetByTestId("project-question-text").Locator("span[lang=en]")).ToHaveTextAsync("Which way does this roof face?");
        await Accessibility.AssertNoViolationsAsync(owner, "project page of an English project, in French");

        // The contributor's page too, from the consent step on.
        var id = await projectPage.GetAttributeAsync("data-project-id");
        await using var contributorContext = await Browser.NewContextAsync(new() { BaseURL = server.BaseUrl });
        var contributor = await contributorContext.NewPageAsync();
        await contributor.GotoAsync($"/#/label/{id}");
        await Assertions.Expect(contributor.GetByTestId("consent")).ToBeVisibleAsync();
        await Assertions.Expect(contributor.Locator("html")).ToHaveAttributeAsync("lang", "fr");
        await Assertions.Expect(contributor.GetByTestId("label-title")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(contributor.GetByTestId("consent").Locator("span[lang=en]")).ToHaveTextAsync("Which way does this roof face?");
        await Accessibility.AssertNoViolationsAsync(contributor, "labelling page of an English project, in French: consent");
    }

    [Fact]
    public async Task A_contributor_whose_image_cannot_be_shown_is_told_so_and_can_only_skip_it()
    {
        var demo = (await File.ReadAllTextAsync(Path.Combine(server!.Storage, "demo-project-id"))).Trim();
        Directory.Delete(Path.Combine(server.Storage, "images"), recursive: true); // every image file is gone
        await using var context = await Browser.NewContextAsync(new() { BaseURL = server.BaseUrl });
        var page = await context.NewPageAsync();
        var submitted = 0;
        page.Request += (_, r) =>
        {
            if (r.Url.EndsWith("/SubmitAnswer", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref submitted);
            }
        };
        await page.GotoAsync($"/#/label/{demo}");
        await page.GetByTestId("consent-accept").ClickAsync();

        await Assertions.Expect(page.GetByTestId("label-error")).ToContainTextAsync("Cette image n'a pas pu être affichée");
        var choice = page.GetByTestId("choice-north_south");
        await Assertions.Expect(choice).ToHaveAttributeAsync("aria-disabled", "true");
        await Accessibility.AssertNoViolationsAsync(page, "labelling page: an image that cannot be shown");
        await Assertions.Expect(page.GetByTestId("skip")).ToHaveAttributeAsync("aria-disabled", "false");
        await choice.ClickAsync(new() { Force = true }); // a click on it all the same, and its keyboard shortcut
        await page.Keyboard.PressAsync("1");
        await page.WaitForTimeoutAsync(300);
        Assert.Equal(0, Volatile.Read(ref submitted));

        var item = await page.GetByTestId("task").GetAttributeAsync("data-item-id");
        await page.GetByTestId("skip").ClickAsync();
        await Assertions.Expect(page.GetByTestId("task")).Not.ToHaveAttributeAsync("data-item-id", item!);
        await Assertions.Expect(page.GetByTestId("label-error")).ToContainTextAsync("Cette image n'a pas pu être affichée"); // the next one is missing too
        Assert.Equal(0, Volatile.Read(ref submitted));
    }

    [Fact]
    public async Task A_researcher_defines_starts_and_reallocates_an_experiment_and_an_owner_edits_the_slack_campaign()
    {
        await using var context = await Browser.NewContextAsync(new() { BaseURL = server!.BaseUrl });
        var page = await context.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, e) => pageErrors.Add(e);
        await page.GotoAsync("/");
        await page.GetByTestId("signin-email").FillAsync(ApiServer.DemoEmail);
        await page.GetByTestId("signin-password").FillAsync(ApiServer.DemoPassword);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("project-card")).ToHaveCountAsync(1);

        // An address the portal does not know: a page that says so, titled, with a way back home.
        await page.GotoAsync("/#/nulle-part");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Cette page n'existe pas.");
        await Assertions.Expect(page).ToHaveTitleAsync("Cette page n'existe pas. — Co-construisons");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeFocusedAsync();
        await Accessibility.AssertNoViolationsAsync(page, "not found (unknown address)");
        await page.GetByRole(AriaRole.Link, new() { Name = "Retour à l'accueil" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("project-card")).ToHaveCountAsync(1);

        // The demo owner is a researcher: the header leads to the experiments page.
        await page.GetByTestId("nav-experiments").ClickAsync();
        await Assertions.Expect(page.GetByTestId("experiments-page")).ToBeVisibleAsync();
        await Accessibility.AssertNoViolationsAsync(page, "experiments");
        await page.GetByTestId("define-name").FillAsync("NudgeToneE2E");
        await page.GetByTestId("define-seed").FillAsync("e2e-seed");
        await page.GetByTestId("define-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("experiment-title")).ToContainTextAsync("NudgeToneE2E");
        await Assertions.Expect(page.GetByTestId("audit-row")).ToHaveCountAsync(1);
        await Accessibility.AssertNoViolationsAsync(page, "experiment, defined");

        await page.GetByTestId("start").ClickAsync();
        await Assertions.Expect(page.GetByTestId("allocation-running")).ToBeVisibleAsync();

        // A running experiment's allocation changes; the change is recorded and shown with its values.
        await page.GetByTestId("allocation-percent-0").FillAsync("20");
        await page.GetByTestId("allocation-percent-1").FillAsync("40");
        await page.GetByTestId("allocation-percent-2").FillAsync("40");
        await page.GetByTestId("allocation-submit").ClickAsync();
        var change = page.Locator("[data-testid=audit-row][data-kind=allocation_changed]");
        await Assertions.Expect(change).ToHaveCountAsync(1);
        await Assertions.Expect(change).ToContainTextAsync("impact");
        await Assertions.Expect(change).ToContainTextAsync("→ 20 %");
        await Assertions.Expect(change).ToContainTextAsync(ApiServer.DemoEmail);
        await Assertions.Expect(page.GetByTestId("results")).ToBeVisibleAsync();
        await Accessibility.AssertNoViolationsAsync(page, "experiment, running (allocation, audit trail, results)");

        // Stopping asks for a reason first: the confirmation opens on its field, refuses an empty
        // reason, and cancelling leaves the experiment running with the focus back on its button.
        await page.GetByTestId("stop-open").ClickAsync();
        await Assertions.Expect(page.GetByTestId("stop-form")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("stop-reason")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByTestId("stop-confirm")).ToHaveTextAsync("Arrêter maintenant");
        await Accessibility.AssertNoViolationsAsync(page, "experiment: stop confirmation");
        await page.GetByTestId("stop-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("action-error")).ToHaveTextAsync("Indiquez la raison de l'arrêt.");
        await Assertions.Expect(page.GetByTestId("stop-reason")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByTestId("stop-reason")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("Indiquez la raison de l'arrêt\\."));
        await Assertions.Expect(page.GetByTestId("stop-reason")).ToBeFocusedAsync();
        await Accessibility.AssertNoViolationsAsync(page, "experiment: stop confirmation, reason missing");
        await page.GetByTestId("stop-cancel").ClickAsync();
        await Assertions.Expect(page.GetByTestId("stop-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("stop-open")).ToBeFocusedAsync();
        await Assertions.Expect(page.GetByTestId("allocation-running")).ToBeVisibleAsync();

        // The project's Slack campaign: a bad time zone is refused with the server's message, a good one saved.
        await page.GetByTestId("nav-projects").ClickAsync();
        await page.GetByTestId("project-card").First.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-section")).ToBeVisibleAsync();
        await page.GetByTestId("campaign-timezone").FillAsync("Mars/Olympus");
        await page.GetByTestId("campaign-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-error")).ToContainTextAsync("Mars/Olympus");
        await Accessibility.AssertNoViolationsAsync(page, "project page: Slack campaign refused");
        await page.GetByTestId("campaign-timezone").FillAsync("Europe/Paris");
        await page.GetByTestId("campaign-max-day").FillAsync("2");
        await page.GetByTestId("campaign-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("campaign-status")).ToContainTextAsync("Campagne enregistrée.");
        await Accessibility.AssertNoViolationsAsync(page, "project page: Slack campaign saved");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("campaign-max-day")).ToHaveValueAsync("2");
        Assert.Empty(pageErrors);
    }

    [Fact]
    public async Task An_owner_imports_footprints_from_a_tile_service_and_follows_the_job_to_its_report()
    {
        const int zoom = 18;
        var tx = (int)(WebMercator.PixelX(4.85, zoom, 256) / 256);
        var ty = (int)(WebMercator.PixelY(45.76, zoom, 256) / 256);
        using var tiles = TileGeometry.Server((x, _) => x == tx + 2 ? new LocalResponse(404, []) : null);
        JsonObject InTile(string id, int column) =>
            TileGeometry.Square(id, ((tx + column) * 256) + 100.5, (ty * 256) + 100.5, ((tx + column) * 256) + 140.5, (ty * 256) + 130.5, "Lyon", zoom);
        var geojson = new JsonObject { ["type"] = "FeatureCollection", ["features"] = new JsonArray(InTile("toit-1", 0), InTile("toit-2", 1), InTile("toit-404", 2)) };

        await using var context = await Browser.NewContextAsync(new() { BaseURL = server!.BaseUrl });
        var page = await context.NewPageAsync();
        var pageErrors = new List<string>();
        page.PageError += (_, e) => pageErrors.Add(e);
        await page.GotoAsync("/");
        await page.GetByTestId("signin-email").FillAsync(ApiServer.DemoEmail);
        await page.GetByTestId("signin-password").FillAsync(ApiServer.DemoPassword);
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.GetByTestId("project-card").First.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("tile-import-section")).ToBeVisibleAsync();

        // A template without placeholders is refused next to its field, before anything is sent.
        await page.GetByTestId("tile-file").SetInputFilesAsync(new FilePayload { Name = "toits.geojson", MimeType = "application/geo+json", Buffer = Encoding.UTF8.GetBytes(geojson.ToJsonString()) });
        await page.GetByTestId("tile-template").FillAsync(tiles.BaseUrl + "/tiles.png");
        await page.GetByTestId("tile-zoom").FillAsync("18");
        await page.GetByTestId("tile-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tile-import-section").GetByTestId("field-error")).ToContainTextAsync("{z}, {x} et {y}");
        await Accessibility.AssertNoViolationsAsync(page, "project page: tile import refused");

        await page.GetByTestId("tile-template").FillAsync(tiles.BaseUrl + "/{z}/{x}/{y}.png");
        await page.GetByTestId("tile-submit").ClickAsync();
        var job = page.GetByTestId("tile-import-job");
        await Assertions.Expect(job).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await Assertions.Expect(job).ToHaveAttributeAsync("data-added", "2");
        await Assertions.Expect(job).ToHaveAttributeAsync("data-rejected", "1");
        await Assertions.Expect(page.GetByTestId("tile-import-status")).ToContainTextAsync("Import terminé : 2 images ajoutées");
        await Assertions.Expect(page.GetByTestId("tile-report-rejected")).ToContainTextAsync("toit-404");
        await Assertions.Expect(page.GetByTestId("tile-report-rejected")).ToContainTextAsync("404");
        // When the job ends the page reloads its items: the new images are there.
        await Assertions.Expect(page.Locator("[data-testid=item-card]", new() { HasText = "toit-1.png" })).ToHaveCountAsync(1);
        await Accessibility.AssertNoViolationsAsync(page, "project page: tile import report");
        Assert.Empty(pageErrors);
    }

    [Fact]
    public async Task An_owner_imports_an_opensolarmap_project_from_the_projects_page_and_reads_the_report()
    {
        var dir = Directory.CreateTempSubdirectory("coco-e2e-osm-");
        try
        {
            var random = new Random(5);
            var images = Path.Combine(dir.FullName, "roof_images.zip");
            using (var zip = ZipFile.Open(images, ZipArchiveMode.Create))
            {
                foreach (var (id, kind) in new[] { ("201", "north_south"), ("202", "east_west"), ("203", "flat") })
                {
                    using var stream = zip.CreateEntry(id + ".jpg").Open();
                    stream.Write(RoofImageGenerator.Draw(kind, random));
                }
            }

            var contributions = Path.Combine(dir.FullName, "contributions.csv");
            await File.WriteAllTextAsync(contributions, string.Join("\n",
                "building_id,choice,contributor,created_at",
                "201,1,aaa,2015-11-08 09:43:10",
                "202,2,aaa,2015-11-08 09:44:10",
                "203,3,bbb,2015-11-08 09:45:10",
                "999,1,bbb,2015-11-08 09:46:10",
                "202,2,ccc") + "\n");

            await using var context = await Browser.NewContextAsync(new() { BaseURL = server!.BaseUrl });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/");
            await page.GetByTestId("signin-email").FillAsync(ApiServer.DemoEmail);
            await page.GetByTestId("signin-password").FillAsync(ApiServer.DemoPassword);
            await page.GetByTestId("signin-submit").ClickAsync();
            await Assertions.Expect(page.GetByTestId("osm-import-form")).ToBeVisibleAsync();

            // Without files the form says what is missing, next to each field.
            await page.GetByTestId("osm-submit").ClickAsync();
            await Assertions.Expect(page.GetByTestId("osm-import-form")).ToContainTextAsync("Choisissez une archive .zip d'images.");
            await Accessibility.AssertNoViolationsAsync(page, "projects: OpenSolarMap import refused");

            await page.GetByTestId("osm-title").FillAsync("OpenSolarMap (E2E)");
            await page.GetByTestId("osm-images").SetInputFilesAsync(images);
            await page.GetByTestId("osm-contributions").SetInputFilesAsync(contributions);
            await page.GetByTestId("osm-submit").ClickAsync();

            var job = page.GetByTestId("osm-import-job");
            await Assertions.Expect(job).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
            var report = page.GetByTestId("osm-report");
            await Assertions.Expect(report).ToContainTextAsync("Images importées : 3");
            await Assertions.Expect(report).ToContainTextAsync("Réponses importées : 3");
            await Assertions.Expect(report).ToContainTextAsync("Lignes CSV inutilisables : 1");
            await Assertions.Expect(report).ToContainTextAsync("Réponses sur des images absentes : 1");
            await Assertions.Expect(page.GetByTestId("project-card").Filter(new() { HasText = "OpenSolarMap (E2E)" })).ToHaveCountAsync(1);
            await Accessibility.AssertNoViolationsAsync(page, "projects: OpenSolarMap import report");
            await page.GetByTestId("osm-open-project").ClickAsync();
            await Assertions.Expect(page.GetByTestId("project-title")).ToHaveTextAsync("OpenSolarMap (E2E)");
            await Accessibility.AssertNoViolationsAsync(page, "project page of an imported project (answers, charts)");
            // The project's only import is the OpenSolarMap one: its tile import section, once it has
            // looked, shows no job and not that import's report ("… objet inutilisable sur 3").
            var tileSection = page.GetByTestId("tile-import-section");
            await Assertions.Expect(tileSection.GetByTestId("tile-import-form")).ToBeVisibleAsync();
            await Assertions.Expect(tileSection.Locator(".loading")).ToHaveCountAsync(0);
            await Assertions.Expect(tileSection.GetByTestId("tile-import-job")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByTestId("tile-import-status")).ToBeEmptyAsync();
            await Assertions.Expect(tileSection).Not.ToContainTextAsync("inutilisable");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
