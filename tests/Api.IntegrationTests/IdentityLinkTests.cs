using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Contributors;
using Grpc.Core;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CoConstruisons.Api.IntegrationTests;

[Collection(nameof(ApiCollection))]
public sealed class IdentityLinkTests(ApiFixture api)
{
    private readonly TaskService.TaskServiceClient _tasks = new(api.Channel);
    private readonly ContributorService.ContributorServiceClient _contributors = new(api.Channel);
    private static readonly Metadata Gateway = new() { { "x-api-key", ApiFixture.ServiceKey } };

    private async Task<SubmitAnswerResponse> AnswerOne(Guid project, ContributorIdentity who, Metadata? headers = null)
    {
        var next = await _tasks.NextTaskAsync(new NextTaskRequest { ProjectId = project.ToString(), Contributor = who }, headers);
        return await _tasks.SubmitAnswerAsync(new SubmitAnswerRequest
        {
            ProjectId = project.ToString(), Contributor = who, ReservationToken = next.Task.ReservationToken,
            Choice = "flat", IdempotencyKey = Guid.NewGuid().ToString(),
        }, headers);
    }

    [Fact]
    public async Task A_contributor_who_labels_on_slack_and_continues_on_the_web_page_through_a_link_is_one_contributor()
    {
        var project = await api.ProjectWithImages(images: 4, maxAnswers: 5, minAnswers: 5);
        var slack = await api.ConsentingChatUser(project, new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "slack", UserId = "T1:U" + Guid.NewGuid().ToString("N")[..6] } });
        await AnswerOne(project, slack, Gateway);

        var link = await _contributors.CreateIdentityLinkAsync(new CreateIdentityLinkRequest { ProjectId = project.ToString(), Contributor = slack }, Gateway);
        var session = await _contributors.StartWebSessionAsync(new StartWebSessionRequest
        {
            ProjectId = project.ToString(), ConsentAccepted = true, ConsentVersion = "1", LinkToken = link.LinkToken,
        });
        var web = new ContributorIdentity { SessionToken = session.SessionToken };
        var onWeb = await AnswerOne(project, web);

        Assert.Equal(2, onWeb.Stats.Answers);
        Assert.Equal(2, (await _tasks.GetMyStatsAsync(new GetMyStatsRequest { ProjectId = project.ToString(), Contributor = slack }, Gateway)).Answers);
        Assert.Contains($"/#/label/{project}?link=", link.Url, StringComparison.Ordinal);
        await using var scope = api.Services.CreateAsyncScope();
        var progress = await scope.ServiceProvider.GetRequiredService<IQuerySession>()
            .Query<CoConstruisons.Domain.Contributions.ItemProgress>().Where(p => p.ProjectId == project).ToListAsync();
        Assert.Single(progress.SelectMany(p => p.ContributorIds).Distinct());
    }

    [Fact]
    public async Task Links_are_only_made_for_gateways_and_forged_links_are_refused()
    {
        var project = api.DemoProjectId.ToString();
        var pageSession = await api.NewWebSession(api.DemoProjectId);
        var asPage = await Assert.ThrowsAsync<RpcException>(() => _contributors.CreateIdentityLinkAsync(new CreateIdentityLinkRequest
        {
            ProjectId = project, Contributor = new ContributorIdentity { SessionToken = pageSession },
        }).ResponseAsync);
        var forged = await Assert.ThrowsAsync<RpcException>(() => _contributors.StartWebSessionAsync(new StartWebSessionRequest
        {
            ProjectId = project, ConsentAccepted = true, LinkToken = "eyJQIjp7fX0.Zm9yZ2Vk",
        }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, asPage.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, forged.StatusCode);
        Assert.Contains("Lien invalide", forged.Status.Detail, StringComparison.Ordinal);
    }
}
