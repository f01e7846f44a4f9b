using System.Security.Cryptography;
using CoConstruisons.Application.Owners;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Domain.Owners;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Imports;

/// <summary>
/// The project an import goes into: an existing one (<c>--project ID</c>, the owner being the
/// project's first owner unless <c>--owner-email</c> names another of its owners), or one created
/// (<c>--create TITLE --choices k1:Label1,k2:Label2 [--question Q] [--answers-per-item N]</c>,
/// owned by <c>--owner-email</c>, registered when new). A second <c>--create</c> with the same
/// title and owner reuses the project, so an interrupted import resumes.
/// </summary>
public sealed record ImportTarget(string? ProjectId, string? CreateTitle, string? Choices, string? Question, int AnswersPerItem, string OwnerEmail)
{
    public const string Options = "(--project ID | --create TITLE --choices k1:Label1,k2:Label2 [--question Q] [--answers-per-item N]) [--owner-email E]";

    public static ImportTarget Read(CliArgs args, string defaultOwnerEmail)
    {
        ArgumentNullException.ThrowIfNull(args);
        var target = new ImportTarget(
            args.Option("project"),
            args.Option("create"),
            args.Option("choices"),
            args.Option("question"),
            args.IntOption("answers-per-item", 5),
            args.Option("owner-email") ?? defaultOwnerEmail);
        if ((target.ProjectId is null) == (target.CreateTitle is null))
        {
            throw new UsageException(Texts.T("Donnez soit --project ID, soit --create TITRE (avec --choices).", "Give either --project ID or --create TITLE (with --choices)."));
        }

        if (target.ProjectId is not null && !Guid.TryParse(target.ProjectId, out _))
        {
            throw new UsageException(NotAProjectId(target.ProjectId));
        }

        if (target.CreateTitle is not null && string.IsNullOrWhiteSpace(target.Choices))
        {
            throw new UsageException(Texts.T("--create demande --choices, par exemple --choices yes:Oui,no:Non.", "--create needs --choices, e.g. --choices yes:Oui,no:Non."));
        }

        // The new project's settings are checked before anything is created or read.
        if (target.NewProjectSettings() is { } settings && new ProjectSettingsValidator().Validate(settings) is { IsValid: false } invalid)
        {
            throw new UsageException(string.Join(" ", invalid.Errors.Select(e => e.ErrorMessage).Distinct(StringComparer.Ordinal)));
        }

        return target;
    }

    /// <summary>The settings of the project <c>--create</c> makes; null with <c>--project</c>.</summary>
    public ProjectSettings? NewProjectSettings() => CreateTitle is null ? null : new ProjectSettings(
        CreateTitle,
        "",
        Question ?? "Que voyez-vous sur cette image ?",
        ParseChoices(Choices ?? ""),
        AllowDontKnow: true,
        "",
        AnswersPerItem);

    /// <summary>(owner, project, created) — finds or creates them through the application's use cases.</summary>
    public async Task<(Guid Owner, Guid Project, bool Created)> ResolveAsync(IServiceProvider provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        await using var scope = provider.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var normalized = Owner.NormalizeEmail(OwnerEmail);
        var owner = await session.Query<Owner>().FirstOrDefaultAsync(o => o.Email == normalized, cancellationToken);
        if (ProjectId is not null)
        {
            if (!Guid.TryParse(ProjectId, out var id))
            {
                throw new CliException(NotAProjectId(ProjectId));
            }

            var project = await session.LoadAsync<Project>(id, cancellationToken)
                ?? throw new CliException(Texts.T($"Projet {id} introuvable dans cette base de données ou ce schéma.", $"Project {id} not found in this database/schema."));
            var ownerId = owner is not null && project.IsOwnedBy(owner.Id) ? owner.Id : project.OwnerIds.FirstOrDefault();
            if (ownerId == Guid.Empty)
            {
                throw new CliException(Texts.T($"Le projet {id} n'a pas de porteur.", $"Project {id} has no owner."));
            }

            return (ownerId, id, false);
        }

        if (owner is null)
        {
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
            owner = await mediator.Send(new RegisterOwner(OwnerEmail, "Import", password), cancellationToken);
            Console.Error.WriteLine(Texts.T(
                $"porteur {normalized} créé avec le mot de passe {password} (affiché une seule fois)",
                $"created owner {normalized} with password {password} (shown once)"));
        }

        var existing = (await session.Query<Project>().ToListAsync(cancellationToken))
            .FirstOrDefault(p => p.IsOwnedBy(owner.Id) && p.Settings.Title == CreateTitle);
        if (existing is not null)
        {
            Console.Error.WriteLine(Texts.T($"ajout au projet {existing.Id} (« {CreateTitle} »)", $"adding to project {existing.Id} ('{CreateTitle}')"));
            return (owner.Id, existing.Id, false);
        }

        var created = await mediator.Send(new CreateProject(owner.Id, NewProjectSettings()!), cancellationToken);
        Console.Error.WriteLine(Texts.T($"projet {created.Project.Id} créé (« {CreateTitle} »)", $"created project {created.Project.Id} ('{CreateTitle}')"));
        return (owner.Id, created.Project.Id, true);
    }

    private static string NotAProjectId(string value) => Texts.T(
        $"--project « {value} » n'est pas un identifiant de projet (par exemple 0195f3a2-7c1e-7d4b-9a60-2f1b8c3d4e5f).",
        $"--project '{value}' is not a project id (e.g. 0195f3a2-7c1e-7d4b-9a60-2f1b8c3d4e5f).");

    /// <summary>"k1:Label 1,k2:Label 2" (a key alone is its own label).</summary>
    public static IReadOnlyList<Choice> ParseChoices(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? new Choice(part, part) : new Choice(part[..colon].Trim(), part[(colon + 1)..].Trim());
        })];
    }
}
