using System.Text.Json.Nodes;
using Grpc.Core;

namespace CoConstruisons.Gateways.Slack.Campaigns;

/// <summary>
/// One nudge round: the platform decides who is invited now (the project's campaign: consent, stop,
/// caps, quiet hours, working days, running experiments) and records each nudge as an event before
/// answering; this node delivers each one to the sealed address given with the consent, with a
/// button that starts the question (or the series of five).
/// </summary>
public sealed partial class NudgeService(
    ICobotPlatform platform, MemberStore members, ISlackWebApi slack, CobotTexts texts, AddressSeal seal, ILogger<NudgeService> logger)
{
    private readonly SemaphoreSlim _round = new(1, 1);

    /// <summary>Runs one round; returns how many nudges were delivered.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            IReadOnlyList<Contracts.V1.PlannedNudge> planned;
            try
            {
                planned = await platform.PlanNudgesAsync(ct);
            }
            catch (RpcException ex)
            {
                LogPlatformFailed(ex.StatusCode, ex.Status.Detail);
                return 0;
            }

            var sent = 0;
            foreach (var nudge in planned)
            {
                if (seal.Open(nudge.SealedAddress) is not { } address)
                {
                    LogUnreadableAddress(nudge.NudgeId);
                    continue;
                }

                await members.UpdateAsync(address.SlackUser, m =>
                {
                    m.SeriesRemaining = nudge.Questions;
                    m.DirectChannel ??= address.Channel;
                }, ct);
                await slack.PostMessageAsync(address.Channel, nudge.Text, new JsonArray(
                    SlackBlocks.Section(nudge.Text),
                    SlackBlocks.Actions("cobot_nudge", [
                        SlackBlocks.Button(texts.NudgeButton(nudge.Questions), CobotConversation.NudgeStartAction, "nudge", "primary"),
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Nudge round refused by the platform: {Status} {Detail}")]
    private partial void LogPlatformFailed(StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Nudge {NudgeId} not delivered: its address was not sealed by this Slack app")]
    private partial void LogUnreadableAddress(string nudgeId);
}
