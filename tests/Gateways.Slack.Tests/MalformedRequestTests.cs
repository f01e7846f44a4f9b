using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CoConstruisons.Gateways.Slack.Tests;

/// <summary>
/// Correctly signed bodies that are not what Slack sends: each gets 400 with a short reason (French, then English),
/// never a 500 or a stack trace, and changes nothing (no message, no answer, the event id still unused).
/// </summary>
[Collection(nameof(GatewayCollection))]
public sealed class MalformedRequestTests(GatewayFixture f)
{
    private const string Form = "application/x-www-form-urlencoded";

    private static string Dm(string user) => "D" + user;

    /// <summary>400, the reason in both languages, nothing of .NET's inside.</summary>
    private static async Task<string> AssertRefused(HttpResponseMessage response, string french, string english)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Requête refusée : ", text, StringComparison.Ordinal);
        Assert.Contains(french, text, StringComparison.Ordinal);
        Assert.Contains(english, text, StringComparison.Ordinal);
        Assert.True(text.IndexOf(french, StringComparison.Ordinal) < text.IndexOf(english, StringComparison.Ordinal), text);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.InRange(text.Length, 1, 300);
        return text;
    }

    /// <summary>Gives the gateway time to do anything it wrongly queued, then checks it wrote nothing to this user.</summary>
    private async Task AssertNothingFor(string user)
    {
        await Task.Delay(500);
        Assert.DoesNotContain(f.Slack.Calls, c => c.Body["users"]?.ToString() == user || c.Channel == Dm(user) || c.Body["user_id"]?.ToString() == user);
    }

    private static string DirectMessage(string eventId, string eventJson) =>
        $$"""{"token":"t","team_id":"{{GatewayFixture.TeamId}}","api_app_id":"A123456","type":"event_callback","event_id":"{{eventId}}","event":{{eventJson}}}""";

    [Fact]
    public async Task Duplicate_json_keys_are_refused_and_the_event_id_stays_unused()
    {
        const string user = "U0DUPKEY";
        var verification = await f.Send("""{"type":"url_verification","type":"event_callback","challenge":"c"}""", "application/json");
        await AssertRefused(verification, "clé JSON « type » en double", "duplicate JSON key 'type'");

        // A direct message naming two users: neither is greeted, and Slack's corrected event (same id) is not taken for a duplicate.
        var twoUsers = DirectMessage("Ev0DUPKEY", $$"""{"type":"message","channel_type":"im","user":"{{user}}","user":"U0OTHER","text":"bonjour"}""");
        await AssertRefused(await f.Send(twoUsers, "application/json"), "clé JSON « user » en double", "duplicate JSON key 'user'");
        await AssertNothingFor(user);
        await AssertNothingFor("U0OTHER");

        var corrected = DirectMessage("Ev0DUPKEY", $$"""{"type":"message","channel_type":"im","user":"{{user}}","text":"bonjour"}""");
        Assert.Equal(HttpStatusCode.OK, (await f.Send(corrected, "application/json")).StatusCode);
        await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).FirstOrDefault(), "consent notice after the corrected event");
    }

    [Fact]
    public async Task A_json_string_that_is_not_utf8_or_not_decodable_is_refused()
    {
        const string user = "U0BADUTF";
        var body = Encoding.UTF8.GetBytes(DirectMessage("Ev0BADUTF", $$"""{"type":"message","channel_type":"im","user":"{{user}}","text":"bonjour ?"}"""));
        body[Array.IndexOf(body, (byte)'?')] = 0xFF; // a byte that is never UTF-8, inside a JSON string
        await AssertRefused(await f.SendBytes(body, "application/json"), "pas en UTF-8 valide", "not valid UTF-8");

        // Valid UTF-8 text, but an escaped lone surrogate that no string can hold.
        var loneSurrogate = DirectMessage("Ev0BADUTF", $$"""{"type":"message","channel_type":"im","user":"{{user}}","text":"\ud800"}""");
        await AssertRefused(await f.Send(loneSurrogate, "application/json"), "chaîne JSON indécodable", "JSON string that cannot be decoded");
        await AssertNothingFor(user);
    }

    [Fact]
    public async Task A_form_key_longer_than_2048_characters_is_refused()
    {
        const string user = "U0LONGKEY";
        var body = GatewayFixture.SlashCommandBody(user, "") + "&" + new string('k', 2049) + "=v";
        await AssertRefused(await f.Send(body, Form), "formulaire trop grand", "form too large");
        await AssertNothingFor(user);
    }

    [Fact]
    public async Task A_form_with_more_than_1024_fields_is_refused()
    {
        const string user = "U0MANYFIELDS";
        var body = GatewayFixture.SlashCommandBody(user, "") + string.Concat(Enumerable.Range(0, 1024).Select(i => $"&f{i}=v"));
        var text = await AssertRefused(await f.Send(body, Form), "formulaire trop grand", "form too large");
        Assert.Contains("1 024", text.Replace('\u202F', ' ').Replace('\u00A0', ' '), StringComparison.Ordinal); // French digit grouping
        Assert.Contains("1,024", text, StringComparison.Ordinal);
        await AssertNothingFor(user);
    }

    [Fact]
    public async Task A_slash_command_with_a_field_twice_is_refused()
    {
        const string user = "U0TWICE";
        var body = GatewayFixture.SlashCommandBody(user, "") + "&user_id=U0SOMEONEELSE";
        await AssertRefused(await f.Send(body, Form), "champ « user_id » en double", "field 'user_id' sent twice");
        await AssertNothingFor(user);
        await AssertNothingFor("U0SOMEONEELSE");
    }

    [Fact]
    public async Task A_malformed_click_payload_is_refused_and_the_same_click_well_formed_is_stored_once()
    {
        const string user = "U0BADCLICK";
        var ack = await f.SlashCommand(user);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var consent = await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).FirstOrDefault(), "consent notice");
        (await f.Click(user, consent, "cobot_consent_accept", "1700000000.000001")).EnsureSuccessStatusCode();
        var question = await GatewayFixture.Eventually(() => f.Slack.Posted(Dm(user)).Skip(1).FirstOrDefault(), "first question");
        var posted = f.Slack.Posted(Dm(user)).Count;

        var click = GatewayFixture.ClickBody(user, question, "cobot_answer_east_west", "1700000500.000100");
        var payload = Uri.UnescapeDataString(click["payload=".Length..]);
        static string AsForm(string json) => "payload=" + Uri.EscapeDataString(json);

        var duplicate = "{\"type\":\"block_actions\"," + payload[1..];
        await AssertRefused(await f.Send(AsForm(duplicate), Form), "clé JSON « type » en double", "duplicate JSON key 'type'");
        var loneSurrogate = payload.Replace("\"1700000500.000100\"", "\"1700000500.000100\\udc00\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, loneSurrogate);
        await AssertRefused(await f.Send(AsForm(loneSurrogate), Form), "chaîne JSON indécodable", "JSON string that cannot be decoded");
        // Shapes Slack never sends: a user that is a string, a payload that is not an object, JSON cut short.
        var userAsText = JsonNode.Parse(payload)!.AsObject();
        userAsText["user"] = user;
        userAsText.Remove("team");
        await AssertRefused(await f.Send(AsForm(userAsText.ToJsonString()), Form), "sans team.id ou sans user.id", "without a team.id or a user.id");
        await AssertRefused(await f.Send(AsForm("[1,2]"), Form), "le JSON n'est pas un objet", "the JSON is not an object");
        await AssertRefused(await f.Send(AsForm(payload[..^5]), Form), "JSON invalide", "invalid JSON");

        await Task.Delay(500);
        Assert.Equal(0, (await f.StatsOf(user)).Answers);
        Assert.Empty(f.Slack.Updates(Dm(user), question.Ts!));
        Assert.Equal(posted, f.Slack.Posted(Dm(user)).Count);

        // The very same click, well formed, is stored once: the 400s were the body's doing.
        (await f.Send(click, Form)).EnsureSuccessStatusCode();
        await GatewayFixture.Eventually(() => f.Slack.Updates(Dm(user), question.Ts!).FirstOrDefault(), "well-formed click handled");
        Assert.Equal(1, (await f.StatsOf(user)).Answers);
    }

}
