using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Consensus;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Projects;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Domain.Projects;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Images.OpenSolarMapImport;

/// <summary>
/// Imports OpenSolarMap data (images, historical answers, optional footprints) into a project of
/// the owner: the given <see cref="ProjectId"/>, else the owner's project titled <see cref="Title"/>
/// (a rerun resumes into it: items already present are skipped), else a new project with the four
/// OpenSolarMap choices. Then the platform's consensus refit labels and retires items. Used by the
/// command line (<c>import-opensolarmap</c>) and by the portal's background job.
/// </summary>
/// <param name="ArchiveLimits">For an uploaded .zip: read through <see cref="ArchiveExpander"/> with these limits (null: the command line's trusted folder or zip).</param>
/// <param name="Progress">Called with (images done, images in all) after each batch.</param>
/// <param name="Log">Lines for a human (what was read, the project, the refit).</param>
public sealed record ImportOpenSolarMap(
    Guid OwnerId,
    string Title,
    string ImagesPath,
    string ContributionsPath,
    string? BuildingsPath,
    Guid? ProjectId = null,
    UploadLimits? ArchiveLimits = null,
    Func<int, int, Task>? Progress = null,
    Action<string>? Log = null) : ICommand<ImportReport>;

public sealed class ImportOpenSolarMapValidator : AbstractValidator<ImportOpenSolarMap>
{
    public ImportOpenSolarMapValidator()
    {
        RuleFor(c => c.Title).Must(t => !string.IsNullOrWhiteSpace(t) && t.Length <= 200)
            .WithMessage(_ => Texts.T("Le titre du projet est obligatoire (200 caractères au plus).", "The project title is required (at most 200 characters)."));
        RuleFor(c => c.ImagesPath).NotEmpty()
            .WithMessage(_ => Texts.T("Choisissez les images (un .zip).", "Choose the images (a .zip)."));
        RuleFor(c => c.ContributionsPath).Must(File.Exists)
            .WithMessage(c => Texts.T($"Fichier des contributions introuvable : « {c.ContributionsPath} ».", $"Contributions file not found: '{c.ContributionsPath}'."));
        RuleFor(c => c.BuildingsPath).Must(p => p is null || File.Exists(p))
            .WithMessage(c => Texts.T($"Fichier des bâtiments introuvable : « {c.BuildingsPath} ».", $"Buildings file not found: '{c.BuildingsPath}'."));
    }
}

public sealed class ImportOpenSolarMapHandler(
    IDocumentStore store,
    IDocumentSession session,
    IMediator mediator,
    IImageInspector inspector,
    IImageStore images,
    IPseudonymizer pseudonymizer) : ICommandHandler<ImportOpenSolarMap, ImportReport>
{
    public async ValueTask<ImportReport> Handle(ImportOpenSolarMap command, CancellationToken cancellationToken)
    {
        var log = command.Log ?? (_ => { });
        var (contributions, badContributions) = OpenSolarMapFiles.ReadContributions(command.ContributionsPath);
        var (buildings, badBuildings) = command.BuildingsPath is null
            ? ([], [])
            : OpenSolarMapFiles.ReadBuildings(command.BuildingsPath);
        log(Texts.T(
            $"{contributions.Count:N0} réponse(s) lue(s) ({badContributions.Count:N0} ligne(s) inutilisable(s)), {buildings.Count:N0} bâtiment(s)",
            $"read {contributions.Count:N0} answers ({badContributions.Count:N0} unusable rows), {buildings.Count:N0} buildings"));

        // Nothing is created for files the import could do nothing with: no usable answer, images it cannot list.
        if (contributions.Count == 0)
        {
            throw OpenSolarMapFiles.NoUsableAnswer(Path.GetFileName(command.ContributionsPath), badContributions);
        }

        if (command.ArchiveLimits is null)
        {
            OpenSolarMapImporter.CheckImages(command.ImagesPath);
        }

        Guid projectId;
        var created = false;
        if (command.ProjectId is { } given)
        {
            projectId = (await session.LoadOwnedAsync(given, command.OwnerId, cancellationToken)).Id;
        }
        else
        {
            (projectId, created) = await OpenSolarMapProject.FindOrCreateAsync(session, mediator, command.OwnerId, command.Title, cancellationToken);
            log(created
                ? Texts.T($"projet {projectId} créé (« {command.Title} »)", $"created project {projectId} ('{command.Title}')")
                : Texts.T($"reprise dans le projet {projectId} (« {command.Title} »)", $"resuming into project {projectId} ('{command.Title}')"));
        }

        var importer = new OpenSolarMapImporter(store, inspector, images, pseudonymizer);
        var report = await importer.RunAsync(
            command.OwnerId, projectId, command.ImagesPath, contributions, buildings, command.Progress, cancellationToken, command.ArchiveLimits);
        report.ProjectCreated = created;
        if (report.ItemsImported > 0)
        {
            // The platform's own consensus (skills refitted on every answer of the project) labels the
            // items and retires the confident ones, exactly as its scheduled refit job would.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var refit = await mediator.Send(new RefitConsensus(projectId, command.OwnerId), cancellationToken);
            report.ItemsRetired = refit.RetiredItems;
            report.RefitAnswers = refit.Answers;
            report.RefitContributors = refit.Contributors;
            report.Seconds += watch.Elapsed.TotalSeconds;
            log(Texts.T(
                $"consensus recalculé : {refit.Answers:N0} réponse(s), {refit.Contributors:N0} contributeur(s), {refit.ChangedItems:N0} élément(s) mis à jour, {refit.RetiredItems:N0} retiré(s) ({watch.Elapsed.TotalSeconds:0.0} s)",
                $"consensus refit: {refit.Answers:N0} answers, {refit.Contributors:N0} contributors, {refit.ChangedItems:N0} items updated, {refit.RetiredItems:N0} retired ({watch.Elapsed.TotalSeconds:0.0} s)"));
        }

        report.BadRows.AddRange(badContributions);
        report.BadRows.AddRange(badBuildings);
        return report;
    }
}

/// <summary>The owner's OpenSolarMap project of a title: found (a rerun resumes into it) or created with the four choices.</summary>
public static class OpenSolarMapProject
{
    public static async Task<(Guid ProjectId, bool Created)> FindOrCreateAsync(
        IDocumentSession session, IMediator mediator, Guid ownerId, string title, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(mediator);
        var existing = (await session.Query<Project>().ToListAsync(cancellationToken))
            .FirstOrDefault(p => p.IsOwnedBy(ownerId) && p.Settings.Title == title);
        if (existing is not null)
        {
            return (existing.Id, false);
        }

        var project = await mediator.Send(new CreateProject(ownerId, OpenSolarMapImporter.Settings(title)), cancellationToken);
        return (project.Project.Id, true);
    }
}
