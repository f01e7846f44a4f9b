using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Owners;
using CoConstruisons.Contracts.V1;
using Grpc.Core;

namespace CoConstruisons.Api.Infrastructure;

/// <summary>Who is calling: an owner (bearer token), a gateway service (api key), or a contributor's session.</summary>
public sealed class CallerContext(ITokenService tokens, IConfiguration configuration)
{
    /// <summary>
    /// The configured service keys as bytes, read again only when the configuration reloads (reading
    /// the section on every call took a lock shared by all requests: measured with `bench serve`).
    /// </summary>
    private volatile byte[][]? _serviceKeys;
    private Microsoft.Extensions.Primitives.IChangeToken? _keysChanged;

    private byte[][] ServiceKeys()
    {
        var keys = _serviceKeys;
        if (keys is not null && _keysChanged is { HasChanged: false })
        {
            return keys;
        }

        var changed = configuration.GetReloadToken();
        keys = [.. configuration.GetSection("Security:ServiceKeys").GetChildren()
            .Select(k => k.Value)
            .Where(v => !string.IsNullOrEmpty(v))
            .Select(v => Encoding.UTF8.GetBytes(v!))];
        _keysChanged = changed;
        _serviceKeys = keys;
        return keys;
    }

    public Guid RequireOwner(ServerCallContext context) => RequireOwner(context.RequestHeaders.GetValue("authorization"));

    public Guid RequireOwner(string? authorization)
    {
        const string prefix = "Bearer ";
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new UnauthenticatedException(Texts.T("Connexion requise (jeton d'accès manquant).", "Sign-in required (missing access token)."));
        }

        var access = tokens.Read<OwnerAccess>(TokenPurposes.Owner, authorization[prefix.Length..].Trim())
            ?? throw new UnauthenticatedException(Texts.T("Jeton d'accès invalide ou expiré : reconnectez-vous.", "Invalid or expired access token: sign in again."));
        return access.OwnerId;
    }

    /// <summary>True when the call carries a configured service key (header "x-api-key"), e.g. the Slack gateway's.</summary>
    public bool IsService(ServerCallContext context)
    {
        var presented = context.RequestHeaders.GetValue("x-api-key");
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(presented);
        var match = ServiceKeys().Any(v => CryptographicOperations.FixedTimeEquals(v, given));
        return match ? true : throw new UnauthenticatedException(Texts.T("Clé de service inconnue.", "Unknown service key."));
    }

    public ContributorCredential Contributor(ContributorIdentity? identity, ServerCallContext context) => identity?.IdentityCase switch
    {
        ContributorIdentity.IdentityOneofCase.SessionToken => new ContributorCredential(identity.SessionToken, null, null, false),
        ContributorIdentity.IdentityOneofCase.ChannelUser =>
            new ContributorCredential(null, identity.ChannelUser.Channel, identity.ChannelUser.UserId, IsService(context)),
        _ => new ContributorCredential(null, null, null, false),
    };
}
