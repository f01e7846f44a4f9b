namespace CoConstruisons.Application.Abstractions;

/// <summary>Turns a channel identity (a Slack user, a web session) into a pseudonym with a keyed hash.</summary>
public interface IPseudonymizer
{
    string ContributorId(string channel, string channelUserId);
}

public interface IPasswordHasher
{
    string Hash(string password);

    bool Verify(string password, string hash);
}
