using System.Text.Json;
using CoConstruisons.Application.Owners;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// `add-owner`: creates a project owner's account (an agent of an administration) who can then sign
/// in to the portal. The password comes from the environment (COCONSTRUISONS_OWNER_PASSWORD) so it
/// stays out of shell history, or from --password.
/// </summary>
public sealed class AddOwnerCommand : ICliCommand, IHasFlags
{
    public IReadOnlyList<string> Flags => ["researcher"];

    public const string PasswordVariable = "COCONSTRUISONS_OWNER_PASSWORD";

    public string Name => "add-owner";

    public string Usage => "add-owner --email E --name \"Display name\" [--password P] [--researcher] [--connection CS] [--schema S]";

    public string Summary => Texts.T(
        $"Crée le compte d'un porteur de projet (mot de passe dans {PasswordVariable} ou --password ; --researcher lui permet aussi de mener des expériences) ; affiche un objet JSON.",
        $"Creates a project owner's account (password from {PasswordVariable} or --password; --researcher also lets them run experiments); prints one JSON object.");

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var email = args.RequiredOption("email");
        var name = args.RequiredOption("name");
        var password = args.Option("password") ?? Environment.GetEnvironmentVariable(PasswordVariable)
            ?? throw new UsageException(Texts.T($"Donnez le mot de passe dans {PasswordVariable} (ou --password).", $"Give the password in {PasswordVariable} (or --password)."));
        var researcher = args.Flag("researcher");
        var settings = PlatformServices.Settings(args.Option("connection"), args.Option("schema"));
        args.EnsureAllRead();
        var (ownerId, created) = await Register(settings, email, name, password, cancellationToken, researcher);
        Console.WriteLine(JsonSerializer.Serialize(new { owner_id = ownerId, email = email.Trim().ToLowerInvariant(), created }));
        if (!created)
        {
            Console.Error.WriteLine(researcher
                ? Texts.T(
                    "Un porteur avec cette adresse existe déjà : le mot de passe n'a pas été modifié ; le compte a le rôle de chercheur.",
                    "An owner with this email already exists: the password was not modified; the account has the researcher role.")
                : Texts.T(
                    "Un porteur avec cette adresse existe déjà : rien n'a changé (le mot de passe n'a pas été modifié).",
                    "An owner with this email already exists: nothing changed (the password was not modified)."));
        }

        return 0;
    }

    public static async Task<(Guid OwnerId, bool Created)> Register(
        IReadOnlyDictionary<string, string?> settings, string email, string name, string password, CancellationToken cancellationToken, bool researcher = false)
    {
        await using var provider = await PlatformServices.StartAsync(settings);
        await using var scope = provider.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var normalized = Domain.Owners.Owner.NormalizeEmail(email);
        var existed = await session.Query<Domain.Owners.Owner>().AnyAsync(o => o.Email == normalized, cancellationToken);
        try
        {
            var owner = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RegisterOwner(email, name, password, researcher), cancellationToken);
            return (owner.Id, !existed);
        }
        catch (ValidationException ex)
        {
            throw new CliException(string.Join(" ", ex.Errors.Select(e => e.ErrorMessage)));
        }
    }
}
