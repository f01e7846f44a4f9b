using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoConstruisons.Gateways.Slack.Campaigns;

/// <summary>One nudge, as written to the nudge log (nudges.jsonl in the data folder).</summary>
public sealed record NudgeRecord(DateTimeOffset At, string Member, string Tone, string Mode);

/// <summary>
/// One nudge round: every member the campaign rules allow (consented, not stopped, within caps,
/// on a working day outside quiet hours) gets an invitation with a button; the question (or the
/// series of five) comes when they press it, so the gateway never needs to keep Slack user ids.
/// Every nudge is recorded (in the member's record and in nudges.jsonl).
/// </summary>
public sealed class NudgeService(
    CampaignRules rules, MemberStore members, ISlackWebApi slack, CobotTexts texts, SlackGatewaySettings settings, TimeProvider clock)
{
    private readonly SemaphoreSlim _round = new(1, 1);

    public string LogFile => Path.Combine(settings.DataDirectory, "nudges.jsonl");

    /// <summary>Runs one round; returns how many nudges were sent.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        if (!rules.Enabled)
        {
            return 0;
        }

        await _round.WaitAsync(ct);
        try
        {
            var sent = 0;
            foreach (var (key, member) in await members.AllAsync(ct))
            {
                var now = clock.GetUtcNow();
                if (rules.Decide(member, now) != NudgeVerdict.Send)
                {
                    continue;
                }

                // Recorded before sending: a crash in between never sends twice; at worst one nudge is lost.
                await members.UpdateByKeyAsync(key, m =>
                {
                    m.Nudges.Add(now);
                    m.Nudges.RemoveAll(n => now - n > TimeSpan.FromDays(31));
                    m.SeriesRemaining = rules.QuestionsPerInvitation;
                }, ct);
                await File.AppendAllTextAsync(LogFile,
                    JsonSerializer.Serialize(new NudgeRecord(now, key, rules.Tone.ToString(), rules.Mode.ToString())) + "\n", ct);

                var channel = member.DirectChannel!;
                var intro = texts.Nudge;
                await slack.PostMessageAsync(channel, intro, new JsonArray(
                    SlackBlocks.Section(intro),
                    SlackBlocks.Actions("cobot_nudge", [
                        SlackBlocks.Button(texts.NudgeButton(rules.QuestionsPerInvitation), CobotConversation.NudgeStartAction, "nudge", "primary"),
                        SlackBlocks.Button(texts.Stop, CobotConversation.StopAction, "nudge"),
                    ]),
                    SlackBlocks.Context(texts.StopAnyTime)), ct);
                sent++;
            }

            return sent;
        }
        finally
        {
            _round.Release();
        }
    }
}
