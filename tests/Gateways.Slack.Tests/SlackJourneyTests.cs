using CoConstruisons.Contracts.V1;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;

namespace CoConstruisons.Gateways.Slack.Tests;

[Collection(nameof(GatewayCollection))]
public sealed class SlackJourneyTests(GatewayFixture f)
{
    private static string Dm(string user) => "D" + user;

    private static IEnumerable<JsonObject> Buttons(SlackCall message) =>
        (message.Body["blocks"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(b => b["type"]?.ToString() == "actions")
            .SelectMany(b => (b["elements"] as JsonArray ?? []).OfType<JsonObject>());

    /// <summary>/cobot, then "J'accepte": returns the consent message and the first question.</summary>
    private async Task<(SlackCall Consent, SlackCall Question)> Onboard(string user)
    {
        var ack = await f.SlashCommand(user);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var consent = await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).FirstOrDefault(), "consent notice");
        (await f.Click(user, consent, "cobot_consent_accept", "1700000000.000001")).EnsureSuccessStatusCode();
        var question = await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).Skip(1).FirstOrDefault(), "first question");
        return (consent, question);
    }

    /// <summary>
    /// A user who has answered once asks for their data (/cobot données): the message, and the
    /// web session its link opens as the same contributor.
    /// </summary>
    private async Task<(SlackCall Message, string ProjectId, string SessionToken, string Ack)> AnswerOnceThenOpenDataLink(string user, string actionTs)
    {
        var dm = Dm(user);
        var (_, question) = await Onboard(user);
        (await f.Click(user, question, "cobot_answer_flat", actionTs)).EnsureSuccessStatusCode();
        await GatewayFixture.Eventually(() => f.Slack.Updates(dm, question.Ts!).FirstOrDefault(), "the answer stored");

        var posted = f.Slack.Posted(dm).Count;
        var ack = await f.SlashCommand(user, "données");
        var message = await GatewayFixture.Eventually(
            () => f.Slack.Posted(dm).Skip(posted).FirstOrDefault(m => m.Json.Contains("Mes données", StringComparison.Ordinal)), "data link");
        var url = System.Text.RegularExpressions.Regex.Match(message.Body["text"]!.ToString(), "<([^|>]+)\\|").Groups[1].Value;
        Assert.Contains("/#/label/", url, StringComparison.Ordinal);
        var query = url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..];
        var link = Uri.UnescapeDataString(query.Split('&').Single(p => p.StartsWith("link=", StringComparison.Ordinal))["link=".Length..]);
        var projectId = url[(url.IndexOf("/#/label/", StringComparison.Ordinal) + "/#/label/".Length)..url.IndexOf('?', StringComparison.Ordinal)];
        var session = await new ContributorService.ContributorServiceClient(f.Platform).StartWebSessionAsync(
            new StartWebSessionRequest { ProjectId = projectId, ConsentAccepted = true, ConsentVersion = "1", LinkToken = link });
        return (message, projectId, session.SessionToken, await ack.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_answer_acknowledged_by_a_gateway_that_crashed_before_doing_it_is_recorded_when_a_gateway_starts_on_its_data()
    {
        const string user = "U0CRASH";
        var dm = Dm(user);
        var (_, question) = await Onboard(user);
        var folder = Path.Combine(Path.GetTempPath(), "coco-crash-" + Guid.NewGuid().ToString("N"));

        // A gateway process took the click (Slack got its 200) and ended before doing anything with it.
        using (var crashed = new InboxOnDisk(folder))
        {
            var body = GatewayFixture.ClickBody(user, question, "cobot_answer_flat", "1700000900.000100");
            Assert.Equal(200, await SlackInboxTests.PostTo(crashed.Inbox, "application/x-www-form-urlencoded", body));
        }

        Assert.Equal(0, (await f.StatsOf(user)).Answers);
        await using var restarted = f.BuildGateway(folder, CoConstruisons.Tests.Shared.LoopbackPorts.Free());
        await restarted.StartAsync();

        var update = await GatewayFixture.Eventually(() => f.Slack.Updates(dm, question.Ts!).FirstOrDefault(), "the recovered answer shown");
        Assert.Contains("Plat", update.Json, StringComparison.Ordinal);
        Assert.Equal(1, (await f.StatsOf(user)).Answers);
        await restarted.StopAsync();
        Assert.Equal(0, new FileInfo(Path.Combine(folder, WorkJournal.FileName)).Length);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_user_consents_answers_every_image_once_per_click_gets_gold_feedback_and_stops()
    {
        const string user = "U0JOURNEY";
        var dm = Dm(user);

        var ack = await f.SlashCommand(user);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Contains("message privé", await ack.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var consent = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).FirstOrDefault(), "consent notice");
        Assert.Contains("J'accepte", consent.Json, StringComparison.Ordinal);
        Assert.Contains("Non merci", consent.Json, StringComparison.Ordinal);
        Assert.Contains("/cobot stop", consent.Json, StringComparison.Ordinal);
        var open = f.Slack.Calls.First(c => c.Method == "conversations.open" && c.Body["users"]?.ToString() == user);
        Assert.Equal("Bearer " + GatewayFixture.BotToken, open.Authorization);
        Assert.Equal("application/json; charset=utf-8", open.ContentType);
        Assert.Equal(0, (await f.StatsOf(user)).Answers);

        (await f.Click(user, consent, "cobot_consent_accept", "1700000000.000001")).EnsureSuccessStatusCode();
        var question = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(1).FirstOrDefault(), "first question");
        var consentUpdate = await GatewayFixture.Eventually(() => f.Slack.Updates(dm, consent.Ts!).FirstOrDefault(), "consent message updated");
        Assert.Contains("Merci", consentUpdate.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("cobot_consent_accept", consentUpdate.Json, StringComparison.Ordinal);

        var image = (question.Body["blocks"] as JsonArray)!.OfType<JsonObject>().Single(b => b["type"]?.ToString() == "image");
        Assert.StartsWith("http://127.0.0.1:", image["image_url"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(
            ["cobot_answer_north_south", "cobot_answer_east_west", "cobot_answer_flat", "cobot_answer_other", "cobot_answer_dont_know", "cobot_stop"],
            Buttons(question).Select(b => b["action_id"]!.ToString()).ToArray());
        Assert.Contains("Je ne sais pas", question.Json, StringComparison.Ordinal);

        var firstUpdates = new List<SlackCall>();
        var asked = new List<string>();
        var ended = false;
        for (var i = 1; i <= 25; i++)
        {
            asked.Add((question.Body["blocks"] as JsonArray)!.OfType<JsonObject>().Single(b => b["type"]?.ToString() == "actions")["block_id"]!.ToString());
            var actionTs = $"17000001{i:00}.000100";
            var choice = i % 2 == 1 ? "north_south" : "flat";
            (await f.Click(user, question, "cobot_answer_" + choice, actionTs)).EnsureSuccessStatusCode();
            var update = await GatewayFixture.Eventually(() => f.Slack.Updates(dm, question.Ts!).FirstOrDefault(), $"answer {i} shown");
            var next = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(i + 1).FirstOrDefault(), $"message after answer {i}");
            firstUpdates.Add(update);
            Assert.Contains(choice == "flat" ? "Plat" : "Nord", update.Json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("cobot_answer_", update.Json, StringComparison.Ordinal);

            if (i <= 3)
            {
                // Slack re-sends the same request (X-Slack-Retry-Num) and the same action_ts arrives again:
                // both are acknowledged, neither stores a second answer nor asks a second question.
                Assert.Equal(HttpStatusCode.OK, (await f.Click(user, question, "cobot_answer_" + choice, actionTs, retryNum: 1)).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await f.Click(user, question, "cobot_answer_" + choice, actionTs, trigger: "again")).StatusCode);
                await GatewayFixture.Eventually(() => f.Slack.Updates(dm, question.Ts!).Count >= 3 ? "done" : null, $"repeats of answer {i} handled");
                Assert.Equal(i, (await f.StatsOf(user)).Answers);
                Assert.Equal(i + 2, f.Slack.Posted(dm).Count);
            }

            if (next.Body["blocks"] is null)
            {
                Assert.Contains("plus d'image", next.Json, StringComparison.Ordinal);
                ended = true;
                break;
            }

            question = next;
        }

        // The project has 20 images and 3 answers per image; the collection's other tests answer and
        // reserve some of them first (how many depends on their order), so this user is asked every
        // image still open to them: each once, one answer per click, until "nothing left".
        var stats = await f.StatsOf(user);
        Assert.True(ended, "the conversation never said that nothing is left");
        Assert.Equal(asked.Count, asked.Distinct().Count());
        Assert.Equal(asked.Count, stats.Answers);
        Assert.Equal(asked.Count, firstUpdates.Count);
        Assert.InRange(stats.Answers, 12, 20);
        Assert.Contains("12 toits aujourd'hui — de quoi cartographier votre rue au soleil", firstUpdates[11].Json, StringComparison.Ordinal);
        Assert.Contains("5 toits aujourd'hui", firstUpdates[4].Json, StringComparison.Ordinal);
        var gold = firstUpdates.Where(u => u.Json.Contains(":bulb:", StringComparison.Ordinal)).ToList();
        var feedback = Assert.Single(gold);
        Assert.True(
            feedback.Json.Contains("Bravo, c'est juste", StringComparison.Ordinal) || feedback.Json.Contains("La plupart des gens voient", StringComparison.Ordinal),
            feedback.Json);

        var posted = f.Slack.Posted(dm).Count; // counted before the command: the confirmation may be posted at once
        var stopAck = await f.SlashCommand(user, "stop");
        Assert.Contains("Cobot s'arrête", await stopAck.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stopped = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(posted).FirstOrDefault(), "stop confirmation");
        Assert.Contains("ne vous relance plus", stopped.Json, StringComparison.Ordinal);

        // Coming back later starts with the consent notice again, not with a question.
        await f.SlashCommand(user);
        var again = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(posted + 1).FirstOrDefault(), "consent notice again");
        Assert.Contains("cobot_consent_accept", again.Json, StringComparison.Ordinal);
        Assert.Equal(stats.Answers, (await f.StatsOf(user)).Answers);
    }

    [Fact]
    public async Task Cobot_data_sends_a_link_that_opens_the_users_own_data_on_the_web_page()
    {
        const string user = "U0MYDATA";
        var dm = Dm(user);
        var (message, projectId, sessionToken, ack) = await AnswerOnceThenOpenDataLink(user, "1700000300.000100");
        Assert.Contains("message privé", ack, StringComparison.Ordinal);

        // The link opens the web page as the same contributor: the data downloaded there is theirs.
        var contributors = new ContributorService.ContributorServiceClient(f.Platform);
        var session = new ContributorIdentity { SessionToken = sessionToken };
        var export = await contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = projectId, Contributor = session });
        Assert.Equal(1, export.Answers);

        // The same message erases from Slack, behind Slack's confirmation dialog.
        var erase = Assert.Single(Buttons(message));
        Assert.Equal("cobot_erase", erase["action_id"]!.ToString());
        Assert.Equal("danger", erase["confirm"]?["style"]?.ToString());
        Assert.Contains("définitif", erase["confirm"]!["text"]!["text"]!.ToString(), StringComparison.Ordinal);
        var members = f.GatewayServices.GetRequiredService<MemberStore>();
        Assert.NotNull((await members.GetAsync(GatewayFixture.TeamId + ":" + user, default)).DirectChannel);

        var answersBefore = await f.EventCount("answer_submitted");
        Assert.True(answersBefore >= 1);
        (await f.Click(user, message, "cobot_erase", "1700000301.000100")).EnsureSuccessStatusCode();
        var done = await GatewayFixture.Eventually(() => f.Slack.Updates(dm, message.Ts!).FirstOrDefault(), "erasure confirmed");
        Assert.Contains("vos données sont effacées (1 réponse gardée sans lien avec vous)", done.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("cobot_erase", done.Json, StringComparison.Ordinal);

        // The platform forgot them (no answers of theirs, no consent), the gateway too (no record of the
        // user on disk), and no answer event was deleted: it stays, anonymous, as evidence for its image.
        Assert.Equal(0, (await f.StatsOf(user)).Answers);
        Assert.Equal(0, (await contributors.ExportMyDataAsync(new ExportMyDataRequest { ProjectId = projectId, Contributor = session })).Answers);
        var forgotten = await members.GetAsync(GatewayFixture.TeamId + ":" + user, default);
        Assert.Null(forgotten.DirectChannel);
        Assert.False(forgotten.Greeted);
        Assert.DoesNotContain(members.KeyOf(GatewayFixture.TeamId + ":" + user), await File.ReadAllTextAsync(Path.Combine(f.DataDirectory, "members.json")), StringComparison.Ordinal);
        Assert.Equal(answersBefore, await f.EventCount("answer_submitted"));

        // Coming back starts again with the consent notice.
        var before = f.Slack.Posted(dm).Count;
        await f.SlashCommand(user);
        var again = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(before).FirstOrDefault(), "consent notice after erasure");
        Assert.Contains("cobot_consent_accept", again.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_erasure_on_the_web_page_the_gateway_forgets_its_own_record_of_the_user()
    {
        const string user = "U0WEBERASE";
        var dm = Dm(user);
        var members = f.GatewayServices.GetRequiredService<MemberStore>();
        var slackUser = GatewayFixture.TeamId + ":" + user;
        var (_, projectId, sessionToken, _) = await AnswerOnceThenOpenDataLink(user, "1700000400.000100");
        Assert.NotNull((await members.GetAsync(slackUser, default)).LastAnswerDay);

        // The user erases on the web page (the platform only; the gateway is not told).
        await new ContributorService.ContributorServiceClient(f.Platform).EraseMyDataAsync(new EraseMyDataRequest
        {
            ProjectId = projectId, Contributor = new ContributorIdentity { SessionToken = sessionToken }, Confirmed = true,
        });

        // Back in Slack: the platform no longer knows them, so the gateway forgets its record (the
        // day of their last answer) and greets them as a newcomer, consent first.
        var before = f.Slack.Posted(dm).Count;
        await f.SlashCommand(user);
        var again = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(before).FirstOrDefault(), "consent notice after the web erasure");
        Assert.Contains("cobot_consent_accept", again.Json, StringComparison.Ordinal);

        // The notice reaches Slack before the gateway's record of the greeting is written: wait for it (up to 10 s).
        var member = await GatewayFixture.Eventually(
            async () => await members.GetAsync(slackUser, default) is { Greeted: true } greeted ? greeted : null, "the gateway's record of the greeting", timeoutMs: 10_000);
        Assert.Null(member.LastAnswerDay);
        Assert.Equal(0, member.StreakDays);
        Assert.True(member.Greeted);
    }

    [Fact]
    public async Task The_stop_button_on_a_question_stops_and_a_later_click_on_that_question_stores_nothing()
    {
        const string user = "U0STOPPER";
        var dm = Dm(user);
        var (_, question) = await Onboard(user);

        (await f.Click(user, question, "cobot_stop", "1700000200.000100")).EnsureSuccessStatusCode();
        var update = await GatewayFixture.Eventually(() => f.Slack.Updates(dm, question.Ts!).FirstOrDefault(), "question closed");
        Assert.Contains("Cobot s'arrête", update.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("cobot_answer_", update.Json, StringComparison.Ordinal);
        await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(2).FirstOrDefault(), "stop confirmation");

        (await f.Click(user, question, "cobot_answer_flat", "1700000201.000100")).EnsureSuccessStatusCode();
        var refused = await GatewayFixture.Eventually(() => f.Slack.Posted(dm).Skip(3).FirstOrDefault(), "refusal");
        Assert.Contains("/cobot", refused.Json, StringComparison.Ordinal);
        Assert.Equal(0, (await f.StatsOf(user)).Answers);
    }

    [Fact]
    public async Task Forged_or_stale_requests_get_401_and_store_nothing()
    {
        const string user = "U0FORGED";
        var dm = Dm(user);
        var (_, question) = await Onboard(user);
        var posted = f.Slack.Posted(dm).Count;
        var click = GatewayFixture.ClickBody(user, question, "cobot_answer_east_west", "1700000300.000100");
        const string form = "application/x-www-form-urlencoded";

        var wrongSecret = await f.Send(click, form, secret: "not-the-signing-secret");
        var stale = await f.Send(click, form, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var future = await f.Send(click, form, timestamp: DateTimeOffset.UtcNow.AddMinutes(6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "/slack/events") { Content = new StringContent(click, System.Text.Encoding.UTF8, form) };
        var missing = await f.Http.SendAsync(unsigned);
        // Signed for another body: the signature covers the raw body.
        var ts = GatewayFixture.Now();
        using var tampered = new HttpRequestMessage(HttpMethod.Post, "/slack/events") { Content = new StringContent(click, System.Text.Encoding.UTF8, form) };
        tampered.Headers.Add("X-Slack-Request-Timestamp", ts);
        tampered.Headers.Add("X-Slack-Signature", GatewayFixture.Signature(GatewayFixture.SigningSecret, ts, click.Replace("east_west", "north_south", StringComparison.Ordinal)));
        var forged = await f.Http.SendAsync(tampered);
        var forgedCommand = await f.Send(GatewayFixture.SlashCommandBody("U0NOBODY", ""), form, secret: "nope");

        foreach (var response in new[] { wrongSecret, stale, future, missing, forged, forgedCommand })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        await Task.Delay(500);
        Assert.Equal(0, (await f.StatsOf(user)).Answers);
        Assert.Empty(f.Slack.Updates(dm, question.Ts!));
        Assert.Equal(posted, f.Slack.Posted(dm).Count);
        Assert.DoesNotContain(f.Slack.Calls, c => c.Body["users"]?.ToString() == "U0NOBODY");

        // The very same click, correctly signed, is stored: the 401s were the signature's doing.
        (await f.Send(click, form)).EnsureSuccessStatusCode();
        await GatewayFixture.Eventually(() => f.Slack.Updates(dm, question.Ts!).FirstOrDefault(), "signed click handled");
        Assert.Equal(1, (await f.StatsOf(user)).Answers);
    }

    [Fact]
    public async Task Url_verification_answers_the_challenge()
    {
        var body = """{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        var response = await f.Send(body, "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task App_home_shows_stats_once_per_event_and_greets_a_newcomer_once()
    {
        const string user = "U0HOME";
        var ev = new JsonObject { ["type"] = "app_home_opened", ["user"] = user, ["channel"] = "D0HOME", ["tab"] = "home", ["event_ts"] = "1700000400.000100" };
        var first = GatewayFixture.EventBody("Ev0HOME1", ev);
        Assert.Equal(HttpStatusCode.OK, (await f.Send(first, "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Send(first, "application/json", retryNum: 1)).StatusCode);
        var second = GatewayFixture.EventBody("Ev0HOME2", (JsonObject)ev.DeepClone());
        Assert.Equal(HttpStatusCode.OK, (await f.Send(second, "application/json")).StatusCode);

        bool Published(SlackCall c) => c.Method == "views.publish" && c.Body["user_id"]?.ToString() == user;
        await GatewayFixture.Eventually(() => f.Slack.Calls.Count(Published) >= 2 ? "two" : null, "two home views");
        await Task.Delay(200);
        Assert.Equal(2, f.Slack.Calls.Count(Published));
        var publish = f.Slack.Calls.First(Published);
        Assert.Equal("home", publish.Body["view"]!["type"]!.ToString());
        // The platform's count of open images (other tests of the collection may have completed some of the 20).
        var open = (await f.StatsOf(user)).ItemsRemaining;
        Assert.InRange(open, 1, 20);
        Assert.Contains($"{open} images à étiqueter", publish.Json, StringComparison.Ordinal);
        Assert.Contains("cobot_start", publish.Json, StringComparison.Ordinal);

        // First interaction: the consent notice is sent once, not on every visit.
        var notices = f.Slack.Posted(Dm(user));
        Assert.Single(notices);
        Assert.Contains("cobot_consent_accept", notices[0].Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_who_follows_the_app_home_link_to_the_web_page_stays_one_contributor()
    {
        const string user = "U0LINKED";
        var (_, question) = await Onboard(user);
        var choice = Buttons(question).First(b => b["action_id"]!.ToString().StartsWith("cobot_answer", StringComparison.Ordinal));
        (await f.Click(user, question, choice["action_id"]!.ToString(), "1700000500.000001")).EnsureSuccessStatusCode();
        for (var i = 0; i < 150 && (await f.StatsOf(user)).Answers < 1; i++)
        {
            await Task.Delay(100);
        }

        var ev = new JsonObject { ["type"] = "app_home_opened", ["user"] = user, ["channel"] = "D0LINK", ["tab"] = "home", ["event_ts"] = "1700000600.000100" };
        (await f.Send(GatewayFixture.EventBody("Ev0LINK1", ev), "application/json")).EnsureSuccessStatusCode();
        var home = await GatewayFixture.Eventually(
            () => f.Slack.Calls.FirstOrDefault(c => c.Method == "views.publish" && c.Body["user_id"]?.ToString() == user), "home view");
        var text = home.Body["view"]!["blocks"]!.AsArray()
            .Select(b => b?["text"]?["text"]?.ToString() ?? "")
            .Single(t => t.Contains("?link=", StringComparison.Ordinal));
        var url = System.Text.RegularExpressions.Regex.Match(text, "<(http[^|>]+)\\|").Groups[1].Value;
        var linkToken = Uri.UnescapeDataString(url[(url.IndexOf("?link=", StringComparison.Ordinal) + 6)..]);

        var contributors = new ContributorService.ContributorServiceClient(f.Platform);
        var session = await contributors.StartWebSessionAsync(new StartWebSessionRequest
        {
            ProjectId = f.ProjectId, ConsentAccepted = true, ConsentVersion = "1", LinkToken = linkToken,
        });
        var web = new ContributorIdentity { SessionToken = session.SessionToken };
        var tasks = new TaskService.TaskServiceClient(f.Platform);
        var next = await tasks.NextTaskAsync(new NextTaskRequest { ProjectId = f.ProjectId, Contributor = web });
        var answer = await tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = f.ProjectId, Contributor = web, ReservationToken = next.Task.ReservationToken,
            Choice = next.Task.Choices[0].Key, IdempotencyKey = "web-1",
        });

        Assert.Equal(2, answer.Stats.Answers);
        Assert.Equal(2, (await f.StatsOf(user)).Answers);
    }
}
