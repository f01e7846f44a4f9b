using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CoConstruisons.Contracts.V1;
using Grpc.Core;

namespace CoConstruisons.Gateways.Slack;

/// <summary>What a choice button carries (compact JSON in its value): reservation token, choice, when it was shown.</summary>
public sealed record AnswerButtonValue(
    [property: JsonPropertyName("t")] string Token,
    [property: JsonPropertyName("c")] string Choice,
    [property: JsonPropertyName("s")] long ShownAtUnixMs);

/// <summary>
/// Cobot's conversations: consent first, then one question at a time in a direct message; every
/// click becomes exactly one answer on the platform (idempotency key: a keyed hash of the Slack action, <see cref="AnswerIdempotency"/>).
/// </summary>
public sealed partial class CobotConversation(
    ISlackWebApi slack, ICobotPlatform platform, MemberStore members, CobotTexts texts, AddressSeal seal, AnswerIdempotency idempotency,
    TimeProvider clock, ILogger<CobotConversation> logger)
{
    public const string AcceptAction = "cobot_consent_accept";
    public const string DeclineAction = "cobot_consent_decline";
    public const string StopAction = "cobot_stop";
    public const string EraseAction = "cobot_erase";
    public const string StartAction = "cobot_start";
    public const string NudgeStartAction = "cobot_nudge_start";
    public const string AnswerActionPrefix = "cobot_answer_";
    public const string DontKnow = "dont_know";

    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public Task HandleAsync(SlackWork work, CancellationToken ct) => work switch
    {
        StartRequested start => StartAsync(start, ct),
        HomeOpened home => HomeOpenedAsync(home, ct),
        ConsentAnswered consent => ConsentAsync(consent, ct),
        StopRequested stop => StopAsync(stop, ct),
        DataRequested data => DataAsync(data, ct),
        EraseRequested erase => EraseAsync(erase, ct),
        AnswerClicked answer => AnswerAsync(answer, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(work), work.GetType().Name, "Unknown Slack work."),
    };

    private async Task<string> DirectChannelAsync(SlackWork work, SlackMember member, CancellationToken ct)
    {
        if (member.DirectChannel is { Length: > 0 } known)
        {
            return known;
        }

        var channel = await slack.OpenDirectMessageAsync(work.UserId, ct);
        await members.UpdateAsync(work.SlackUser, m => m.DirectChannel = channel, ct);
        return channel;
    }

    /// <summary>
    /// This gateway's record of the user, forgotten first when the platform no longer knows them
    /// although this gateway greeted them: their data was erased elsewhere (on the web page).
    /// </summary>
    private async Task<SlackMember> MemberAsync(SlackWork work, Engagement engagement, CancellationToken ct)
    {
        var member = await members.GetAsync(work.SlackUser, ct);
        if (member.Greeted && !engagement.Known && await members.RemoveAsync(work.SlackUser, ct))
        {
            return new SlackMember();
        }

        return member;
    }

    private async Task StartAsync(StartRequested work, CancellationToken ct)
    {
        var engagement = await platform.GetEngagementAsync(work.SlackUser, ct);
        var member = await MemberAsync(work, engagement, ct);
        var channel = await DirectChannelAsync(work, member, ct);
        if (engagement.Active)
        {
            if (!work.FromNudge && member.SeriesRemaining != 0)
            {
                await members.UpdateAsync(work.SlackUser, m => m.SeriesRemaining = 0, ct); // came by themselves: no limit
            }

            await AskNextAsync(work.SlackUser, channel, ct);
            return;
        }

        await SendConsentNoticeAsync(work, channel, ct);
    }

    private async Task SendConsentNoticeAsync(SlackWork work, string channel, CancellationToken ct)
    {
        var project = await platform.GetProjectAsync(ct);
        var invitation = await platform.RecordInvitationAsync(work.SlackUser, ct);
        var notice = texts.ConsentNotice(invitation.Greeting, project.Title);
        await slack.PostMessageAsync(channel, notice, new JsonArray(
            SlackBlocks.Section(notice),
            SlackBlocks.Actions("cobot_consent", [
                SlackBlocks.Button(texts.Accept, AcceptAction, "accept", "primary"),
                SlackBlocks.Button(texts.Decline, DeclineAction, "decline"),
            ])), ct);
        await members.UpdateAsync(work.SlackUser, m => m.Greeted = true, ct);
    }

    private async Task HomeOpenedAsync(HomeOpened work, CancellationToken ct)
    {
        var engagement = await platform.GetEngagementAsync(work.SlackUser, ct);
        var member = await MemberAsync(work, engagement, ct);
        if (work.Tab == "home")
        {
            await PublishHomeAsync(work, member, engagement.Active, ct);
        }

        // First interaction ever: introduce Cobot and ask for consent, once.
        if (!member.Greeted && engagement.Consent == Contracts.V1.ConsentState.Unspecified)
        {
            await SendConsentNoticeAsync(work, await DirectChannelAsync(work, member, ct), ct);
        }
    }

    private async Task PublishHomeAsync(SlackWork work, SlackMember member, bool active, CancellationToken ct)
    {
        var project = await platform.GetProjectAsync(ct);
        var stats = await platform.GetMyStatsAsync(work.SlackUser, ct);
        var blocks = new JsonArray(SlackBlocks.Header(texts.HomeTitle(project.Title)));
        if (!string.IsNullOrWhiteSpace(project.Description))
        {
            blocks.Add(SlackBlocks.Section(project.Description));
        }

        blocks.Add(SlackBlocks.Section(active ? texts.HomeStats(stats.Answers, stats.AnswersToday, member.StreakDays) : texts.HomeInactive));
        blocks.Add(SlackBlocks.Section(texts.HomeProject(stats.ItemsRemaining)));
        if (active)
        {
            blocks.Add(SlackBlocks.Section(texts.HomeWebLink(await platform.WebLinkAsync(work.SlackUser, ct))));
        }

        blocks.Add(active
            ? SlackBlocks.Actions("cobot_home", [SlackBlocks.Button(texts.StartButton, StartAction, "home", "primary"), SlackBlocks.Button(texts.Stop, StopAction, "home")])
            : SlackBlocks.Actions("cobot_home", [SlackBlocks.Button(texts.StartButton, StartAction, "home", "primary")]));
        await slack.PublishHomeAsync(work.UserId, new JsonObject { ["type"] = "home", ["blocks"] = blocks }, ct);
    }

    private async Task ConsentAsync(ConsentAnswered work, CancellationToken ct)
    {
        var member = await members.UpdateAsync(work.SlackUser, m => m.Greeted = true, ct);
        var channel = await DirectChannelAsync(work, member, ct);

        // The platform keeps the consent (an event) and, sealed, where to send this person's nudges.
        var address = work.Accepted ? seal.Seal(new SlackAddress(work.SlackUser, channel)) : "";
        await platform.RecordConsentAsync(work.SlackUser, work.Accepted, CobotTexts.ConsentVersion, address, ct);

        await CloseClickedMessageAsync(work.Channel, work.MessageTs, work.MessageBlocks, work.Accepted ? texts.ConsentAccepted : texts.ConsentDeclined, ct);

        if (work.Accepted)
        {
            await AskNextAsync(work.SlackUser, channel, ct);
        }
    }

    /// <summary>
    /// The user's data lives on the platform under their pseudonym; the web page, opened as the same
    /// contributor through a link, downloads or erases it ("Mes données").
    /// </summary>
    private async Task DataAsync(DataRequested work, CancellationToken ct)
    {
        var member = await members.GetAsync(work.SlackUser, ct);
        var text = texts.MyData(await platform.WebLinkAsync(work.SlackUser, ct));
        await slack.PostMessageAsync(await DirectChannelAsync(work, member, ct), text, new JsonArray(
            SlackBlocks.Section(text),
            SlackBlocks.Actions("cobot_data", [SlackBlocks.Confirmed(
                SlackBlocks.Button(texts.EraseButton, EraseAction, "erase", "danger"),
                texts.EraseConfirmTitle, texts.EraseConfirmText, texts.EraseConfirm, texts.EraseDeny)])), ct);
    }

    /// <summary>
    /// Erasure from Slack (the button, after Slack's confirmation dialog): the platform erases the
    /// contributor's data, then this gateway forgets its own record of the user (direct channel,
    /// streak); the message loses its button and says what was done.
    /// </summary>
    private async Task EraseAsync(EraseRequested work, CancellationToken ct)
    {
        var member = await members.GetAsync(work.SlackUser, ct);
        var channel = work.Channel is { Length: > 0 } shownIn ? shownIn : await DirectChannelAsync(work, member, ct);
        EraseMyDataResponse erased;
        try
        {
            erased = await platform.EraseMyDataAsync(work.SlackUser, ct);
        }
        catch (RpcException ex)
        {
            LogPlatformFailed(ex.StatusCode, ex.Status.Detail);
            await slack.PostMessageAsync(channel, texts.PlatformUnavailable, null, ct);
            return;
        }

        await members.RemoveAsync(work.SlackUser, ct);
        var done = texts.Erased(erased.AnswersAnonymised);
        if (!await CloseClickedMessageAsync(work.Channel, work.MessageTs, work.MessageBlocks, done, ct))
        {
            await slack.PostMessageAsync(channel, done, null, ct);
        }
    }

    private async Task StopAsync(StopRequested work, CancellationToken ct)
    {
        await platform.OptOutAsync(work.SlackUser, ct);
        var member = await members.UpdateAsync(work.SlackUser, m => m.SeriesRemaining = 0, ct);
        await CloseClickedMessageAsync(work.Channel, work.MessageTs, work.MessageBlocks, texts.StopAcknowledged, ct);
        await slack.PostMessageAsync(await DirectChannelAsync(work, member, ct), texts.Stopped, null, ct);
    }

    /// <summary>
    /// The message whose button was clicked loses its buttons and says what came of the click;
    /// false when the work did not come from a message (a slash command, a direct message).
    /// </summary>
    private async Task<bool> CloseClickedMessageAsync(string? channel, string? messageTs, JsonArray? messageBlocks, string outcome, CancellationToken ct)
    {
        if (channel is not { Length: > 0 } || messageTs is not { Length: > 0 })
        {
            return false;
        }

        var blocks = SlackBlocks.WithoutActions(messageBlocks);
        blocks.Add(SlackBlocks.Context(outcome));
        await slack.UpdateMessageAsync(channel, messageTs, outcome, blocks, ct);
        return true;
    }

    private async Task AnswerAsync(AnswerClicked work, CancellationToken ct)
    {
        var member = await members.GetAsync(work.SlackUser, ct);
        if (!(await platform.GetEngagementAsync(work.SlackUser, ct)).Active)
        {
            await slack.PostMessageAsync(work.Channel, texts.NotActive, null, ct);
            return;
        }

        AnswerButtonValue? value;
        try
        {
            value = JsonSerializer.Deserialize<AnswerButtonValue>(work.Value);
        }
        catch (JsonException)
        {
            value = null;
        }

        if (value is null || string.IsNullOrEmpty(value.Token) || string.IsNullOrEmpty(value.Choice))
        {
            LogBadButton(work.Value.Length);
            return;
        }

        var now = clock.GetUtcNow();
        var taken = (int)Math.Clamp(now.ToUnixTimeMilliseconds() - value.ShownAtUnixMs, 0, 24L * 3600 * 1000);
        var key = idempotency.KeyOf(work.TeamId, work.UserId, work.ActionTs, work.MessageTs);
        SubmitAnswerResponse result;
        try
        {
            // The next question comes back with the answer, unless this answer ends the user's series
            // (then they are thanked and choose whether to go on).
            result = await platform.SubmitAnswerAsync(work.SlackUser, value.Token, value.Choice, taken, key, withNext: member.SeriesRemaining != 1, ct);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound
                                          or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
        {
            // Refused (e.g. already answered, reservation expired): say why on the message, then offer a fresh question.
            await CloseClickedMessageAsync(work.Channel, work.MessageTs, work.MessageBlocks, texts.AnswerNotRecorded(ex.Status.Detail), ct);
            if (ex.StatusCode != StatusCode.FailedPrecondition)
            {
                await AskNextAsync(work.SlackUser, work.Channel, ct);
            }

            return;
        }
        catch (RpcException ex)
        {
            LogPlatformFailed(ex.StatusCode, ex.Status.Detail);
            await slack.PostMessageAsync(work.Channel, texts.PlatformUnavailable, null, ct);
            return;
        }

        var streak = 0;
        var seriesOver = false;
        if (!result.Duplicate)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Paris).DateTime);
            var updated = await members.UpdateAsync(work.SlackUser, m =>
            {
                if (m.SeriesRemaining > 0)
                {
                    m.SeriesRemaining--;
                }

                if (m.LastAnswerDay != today)
                {
                    m.StreakDays = m.LastAnswerDay == today.AddDays(-1) ? m.StreakDays + 1 : 1;
                    m.LastAnswerDay = today;
                }
            }, ct);
            streak = member.LastAnswerDay == today ? 0 : updated.StreakDays; // celebrate a streak on the day's first answer only
            seriesOver = member.SeriesRemaining > 0 && updated.SeriesRemaining == 0;
        }

        var project = await platform.GetProjectAsync(ct);
        var label = value.Choice == DontKnow ? texts.DontKnow : project.Choices.FirstOrDefault(c => c.Key == value.Choice)?.Label ?? value.Choice;
        var blocks = SlackBlocks.WithoutActions(work.MessageBlocks);
        blocks.Add(SlackBlocks.Section(texts.YourAnswer(label)));
        if (!string.IsNullOrEmpty(result.Feedback))
        {
            blocks.Add(SlackBlocks.Section(":bulb: " + result.Feedback));
        }

        var cheers = new[] { texts.Milestone(result.Stats?.AnswersToday ?? 0), texts.Streak(streak) }.Where(s => s.Length > 0).ToList();
        foreach (var cheer in cheers)
        {
            blocks.Add(SlackBlocks.Section(cheer));
        }

        if (result.Stats is { } stats)
        {
            blocks.Add(SlackBlocks.Context(texts.TodayCount(stats.AnswersToday, stats.Answers)));
        }

        await slack.UpdateMessageAsync(work.Channel, work.MessageTs, texts.YourAnswer(label), blocks, ct);

        // A retried or repeated click stored nothing new: do not ask a second next question.
        if (result.Duplicate)
        {
            return;
        }

        if (seriesOver)
        {
            // The invitation's question (or series of five) is done: thank, and let them choose to go on.
            await slack.PostMessageAsync(work.Channel, texts.SeriesDone, new JsonArray(
                SlackBlocks.Section(texts.SeriesDone),
                SlackBlocks.Actions("cobot_more", [SlackBlocks.Button(texts.OneMore, StartAction, "more", "primary")])), ct);
            return;
        }

        await AskNextAsync(work.SlackUser, work.Channel, ct, result.Next);
    }

    /// <summary>
    /// Posts the next question (or "nothing left") in the user's direct-message channel: the one
    /// given (it came back with the user's answer), or a new one asked of the platform.
    /// </summary>
    public async Task AskNextAsync(string slackUser, string channel, CancellationToken ct, NextTaskResponse? given = null)
    {
        NextTaskResponse next;
        try
        {
            next = given ?? await platform.NextTaskAsync(slackUser, ct);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            // The platform asks nothing of a user without consent on the project, or who said stop (a click can race a
            // "stop"): say so rather than ask.
            await slack.PostMessageAsync(channel, texts.NotActive, null, ct);
            return;
        }

        if (next.Task is not { } task)
        {
            await slack.PostMessageAsync(channel, texts.NothingLeft, null, ct);
            return;
        }

        var shown = clock.GetUtcNow().ToUnixTimeMilliseconds();
        string Value(string choice) => JsonSerializer.Serialize(new AnswerButtonValue(task.ReservationToken, choice, shown));

        var buttons = task.Choices.Select(c => SlackBlocks.Button(c.Label, AnswerActionPrefix + c.Key, Value(c.Key))).ToList();
        if (task.AllowDontKnow)
        {
            buttons.Add(SlackBlocks.Button(texts.DontKnow, AnswerActionPrefix + DontKnow, Value(DontKnow)));
        }

        buttons.Add(SlackBlocks.Button(texts.Stop, StopAction, "question", "danger"));
        var blocks = new JsonArray(SlackBlocks.Section("*" + task.Question + "*"));
        if (!string.IsNullOrWhiteSpace(task.Instructions))
        {
            blocks.Add(SlackBlocks.Context(task.Instructions));
        }

        blocks.Add(SlackBlocks.Image(task.ImageUrl, texts.ImageAlt));
        blocks.Add(SlackBlocks.Actions("cobot_q_" + task.ItemId, buttons));
        await slack.PostMessageAsync(channel, task.Question, blocks, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an answer button with an unreadable value ({Length} characters)")]
    private partial void LogBadButton(int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Platform call failed: {Status} {Detail}")]
    private partial void LogPlatformFailed(StatusCode status, string detail);
}
