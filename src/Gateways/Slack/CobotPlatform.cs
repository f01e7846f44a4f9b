using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace CoConstruisons.Gateways.Slack;

/// <summary>What the gateway asks of the platform, for one Slack user ("T…:U…").</summary>
public interface ICobotPlatform
{
    Task<NextTaskResponse> NextTaskAsync(string slackUser, CancellationToken ct);

    /// <summary>Records the answer; with <paramref name="withNext"/>, the user's next task comes back with it (one call).</summary>
    Task<SubmitAnswerResponse> SubmitAnswerAsync(string slackUser, string reservationToken, string choice, int timeTakenMs, string idempotencyKey, bool withNext, CancellationToken ct);

    Task<ContributorStats> GetMyStatsAsync(string slackUser, CancellationToken ct);

    Task<PublicProject> GetProjectAsync(CancellationToken ct);

    /// <summary>Records the first greeting (once) and returns it, in the tone this user sees.</summary>
    Task<RecordInvitationResponse> RecordInvitationAsync(string slackUser, CancellationToken ct);

    Task<Engagement> RecordConsentAsync(string slackUser, bool accepted, string consentVersion, string sealedAddress, CancellationToken ct);

    Task<Engagement> OptOutAsync(string slackUser, CancellationToken ct);

    Task<Engagement> GetEngagementAsync(string slackUser, CancellationToken ct);

    /// <summary>One nudge round on the platform: the invitations it decided and recorded, to deliver now.</summary>
    Task<IReadOnlyList<PlannedNudge>> PlanNudgesAsync(CancellationToken ct);

    /// <summary>A one-hour link to the portal's labelling page where this user continues as the same contributor.</summary>
    Task<string> WebLinkAsync(string slackUser, CancellationToken ct);

    /// <summary>Erases this user's data on the platform (confirmed by the user in Slack); their answers stay, anonymous.</summary>
    Task<EraseMyDataResponse> EraseMyDataAsync(string slackUser, CancellationToken ct);
}

/// <summary>
/// The platform's native gRPC endpoint (HTTP/2 cleartext by default). The gateway authenticates with
/// its service key (metadata "x-api-key") and speaks for channel user {channel: "slack", user_id: team:user}.
/// </summary>
public sealed class GrpcCobotPlatform : ICobotPlatform, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly TaskService.TaskServiceClient _tasks;
    private readonly ContributorService.ContributorServiceClient _contributors;
    private readonly CampaignService.CampaignServiceClient _campaigns;
    private readonly SlackGatewaySettings _settings;
    private PublicProject? _project;

    public GrpcCobotPlatform(SlackGatewaySettings settings)
    {
        _settings = settings;
        _channel = GrpcChannel.ForAddress(settings.CobotApiUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) },
        });
        _tasks = new TaskService.TaskServiceClient(_channel);
        _contributors = new ContributorService.ContributorServiceClient(_channel);
        _campaigns = new CampaignService.CampaignServiceClient(_channel);
    }

    public static ContributorIdentity Identity(string slackUser) =>
        new() { ChannelUser = new ChannelUser { Channel = "slack", UserId = slackUser } };

    private CallOptions Options(CancellationToken ct) => new(
        headers: new Metadata { { "x-api-key", _settings.CobotApiKey }, { "accept-language", _settings.Language } },
        deadline: DateTime.UtcNow.AddSeconds(20),
        cancellationToken: ct);

    public async Task<NextTaskResponse> NextTaskAsync(string slackUser, CancellationToken ct) =>
        await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser) }, Options(ct));

    public async Task<SubmitAnswerResponse> SubmitAnswerAsync(string slackUser, string reservationToken, string choice, int timeTakenMs, string idempotencyKey, bool withNext, CancellationToken ct) =>
        await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = _settings.ProjectId,
            Contributor = Identity(slackUser),
            ReservationToken = reservationToken,
            Choice = choice,
            TimeTakenMs = timeTakenMs,
            IdempotencyKey = idempotencyKey,
            Next = withNext,
        }, Options(ct));

    public async Task<ContributorStats> GetMyStatsAsync(string slackUser, CancellationToken ct) =>
        await _tasks.GetMyStatsAsync(new GetMyStatsRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser) }, Options(ct));

    public async Task<PublicProject> GetProjectAsync(CancellationToken ct) =>
        _project ??= await _contributors.GetPublicProjectAsync(new GetPublicProjectRequest { ProjectId = _settings.ProjectId }, Options(ct));

    public async Task<string> WebLinkAsync(string slackUser, CancellationToken ct) =>
        (await _contributors.CreateIdentityLinkAsync(
            new CreateIdentityLinkRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser) }, Options(ct))).Url;

    public async Task<EraseMyDataResponse> EraseMyDataAsync(string slackUser, CancellationToken ct) =>
        await _contributors.EraseMyDataAsync(
            new EraseMyDataRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser), Confirmed = true }, Options(ct));

    public async Task<RecordInvitationResponse> RecordInvitationAsync(string slackUser, CancellationToken ct) =>
        await _campaigns.RecordInvitationAsync(new RecordInvitationRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser) }, Options(ct));

    public async Task<Engagement> RecordConsentAsync(string slackUser, bool accepted, string consentVersion, string sealedAddress, CancellationToken ct) =>
        await _campaigns.RecordConsentAsync(new RecordConsentRequest
        {
            ProjectId = _settings.ProjectId,
            Contributor = Identity(slackUser),
            Accepted = accepted,
            ConsentVersion = consentVersion,
            SealedAddress = sealedAddress,
        }, Options(ct));

    public async Task<Engagement> OptOutAsync(string slackUser, CancellationToken ct) =>
        await _campaigns.OptOutAsync(new OptOutRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser) }, Options(ct));

    public async Task<Engagement> GetEngagementAsync(string slackUser, CancellationToken ct) =>
        await _campaigns.GetEngagementAsync(new GetEngagementRequest { ProjectId = _settings.ProjectId, Contributor = Identity(slackUser) }, Options(ct));

    public async Task<IReadOnlyList<PlannedNudge>> PlanNudgesAsync(CancellationToken ct) =>
        (await _campaigns.PlanNudgesAsync(new PlanNudgesRequest { ProjectId = _settings.ProjectId, Channel = "slack" }, Options(ct))).Nudges;

    public void Dispose() => _channel.Dispose();
}
