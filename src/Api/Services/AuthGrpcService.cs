using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Owners;
using CoConstruisons.Contracts.V1;
using CoConstruisons.Domain.Owners;
using Grpc.Core;
using Marten;
using Mediator;

namespace CoConstruisons.Api.Services;

public sealed class AuthGrpcService(IMediator mediator, CallerContext caller, IQuerySession session) : AuthService.AuthServiceBase
{
    public override async Task<SignInResponse> SignIn(SignInRequest request, ServerCallContext context)
    {
        var signedIn = await mediator.Send(new SignIn(request.Email, request.Password), context.CancellationToken);
        return new SignInResponse
        {
            AccessToken = signedIn.AccessToken,
            DisplayName = signedIn.Owner.DisplayName,
            ExpiresAtUnix = signedIn.ExpiresAt.ToUnixTimeSeconds(),
            IsResearcher = signedIn.Owner.IsResearcher,
        };
    }

    public override async Task<WhoAmIResponse> WhoAmI(WhoAmIRequest request, ServerCallContext context)
    {
        var ownerId = caller.RequireOwner(context);
        var owner = await session.LoadAsync<Owner>(ownerId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, Texts.T("Ce compte de porteur de projet n'existe plus : reconnectez-vous.", "This owner account no longer exists: sign in again.")));
        return new WhoAmIResponse { OwnerId = owner.Id.ToString(), Email = owner.Email, DisplayName = owner.DisplayName, IsResearcher = owner.IsResearcher };
    }
}
