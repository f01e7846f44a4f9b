using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Images.TileImportJobs;
using FluentValidation;
using FluentValidation.Results;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.OpenSolarMapImport;

/// <summary>
/// Queues an OpenSolarMap import from the portal (the <see cref="ImportOpenSolarMap"/> use case,
/// run in the background by <see cref="TileImportRunner"/> like a tile import): the files are
/// stored on disk, the contributions' header is checked now, and the owner's project of that title
/// is found (the import resumes into it) or created with the four OpenSolarMap choices.
/// </summary>
public sealed record StartOpenSolarMapImport(
    Guid OwnerId,
    string Title,
    string ImagesName,
    byte[] ImagesZip,
    byte[] Contributions,
    byte[]? Buildings = null) : ICommand<TileImportJob>;

public sealed class StartOpenSolarMapImportValidator : AbstractValidator<StartOpenSolarMapImport>
{
    public StartOpenSolarMapImportValidator(IOptions<ImportOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var max = options.Value.MaxOpenSolarMapBytes;
        RuleFor(c => c.Title).Must(t => !string.IsNullOrWhiteSpace(t) && t.Length <= 200)
            .WithMessage(_ => Texts.T("Le titre du projet est obligatoire (200 caractères au plus).", "The project title is required (at most 200 characters)."));
        RuleFor(c => c.ImagesZip).Must(z => z is not null && ArchiveExpander.IsZip(z))
            .WithMessage(_ => Texts.T("Choisissez les images dans une archive .zip.", "Choose the images as a .zip archive."));
        RuleFor(c => c.Contributions).NotEmpty()
            .WithMessage(_ => Texts.T("Choisissez le fichier CSV des contributions (il est vide ou absent).", "Choose the contributions CSV file (it is empty or missing)."));
        RuleFor(c => c).Must(c => (c.ImagesZip?.LongLength ?? 0) + (c.Contributions?.LongLength ?? 0) + (c.Buildings?.LongLength ?? 0) <= max)
            .WithName("ImagesZip")
            .WithMessage(_ => Texts.T(
                $"Les fichiers dépassent {max / 1024.0 / 1024.0:0.#} Mo ensemble : importez par parties.",
                $"The files are over {max / 1024.0 / 1024.0:0.#} MB together: import them in parts."));
        RuleFor(c => c.ImagesName).MaximumLength(255)
            .WithMessage(_ => Texts.T("Nom de fichier trop long.", "File name too long."));
    }
}

public sealed class StartOpenSolarMapImportHandler(
    IDocumentSession session,
    IMediator mediator,
    IImportFileStore files,
    TileImportSignal signal,
    TimeProvider clock) : ICommandHandler<StartOpenSolarMapImport, TileImportJob>
{
    public const string ContributionsFile = "contributions.csv";
    public const string BuildingsFile = "buildings.csv";

    public async ValueTask<TileImportJob> Handle(StartOpenSolarMapImport command, CancellationToken cancellationToken)
    {
        var title = command.Title.Trim();
        var imagesName = string.IsNullOrWhiteSpace(command.ImagesName) ? "images.zip" : Path.GetFileName(command.ImagesName.Trim());
        if (!imagesName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            imagesName += ".zip";
        }

        var id = Guid.CreateVersion7();
        try
        {
            var images = await files.SaveAsync(id, imagesName, command.ImagesZip, cancellationToken);
            var contributions = await files.SaveAsync(id, ContributionsFile, command.Contributions, cancellationToken);
            string? buildings = null;
            if (command.Buildings is { Length: > 0 })
            {
                buildings = await files.SaveAsync(id, BuildingsFile, command.Buildings, cancellationToken);
            }

            // A wrong file is refused now (truncated zip, bad header, no usable answer), not minutes later in
            // the background, and before the project is created.
            CheckFile("ImagesZip", () => OpenSolarMapImporter.CheckImages(images));
            CheckFile("Contributions", () => OpenSolarMapFiles.CheckContributions(contributions));
            if (buildings is not null)
            {
                CheckFile("Buildings", () => OpenSolarMapFiles.CheckBuildingsHeader(buildings));
            }

            var (projectId, created) = await OpenSolarMapProject.FindOrCreateAsync(session, mediator, command.OwnerId, title, cancellationToken);
            if (await session.Query<TileImportJob>().AnyAsync(
                    j => j.ProjectId == projectId && (j.State == TileImportState.Queued || j.State == TileImportState.Running), cancellationToken))
            {
                throw new RuleViolationException(Texts.T(
                    $"Un import est déjà en cours pour le projet « {title} » : attendez sa fin.",
                    $"An import is already running for the project '{title}': wait until it ends."));
            }

            var job = new TileImportJob
            {
                Id = id,
                Kind = ImportKind.OpenSolarMap,
                ProjectId = projectId,
                OwnerId = command.OwnerId,
                ProjectCreated = created,
                GeoJsonName = title,
                ImagesName = imagesName,
                ContributionsName = ContributionsFile,
                BuildingsName = buildings is null ? null : BuildingsFile,
                State = TileImportState.Queued,
                Language = System.Globalization.CultureInfo.CurrentUICulture.Name,
                CreatedAt = clock.GetUtcNow(),
            };
            session.Store(job);
            await session.SaveChangesAsync(cancellationToken);
            signal.Wake();
            return job;
        }
        catch
        {
            files.Delete(id);
            throw;
        }
    }

    private static void CheckFile(string property, Action read)
    {
        try
        {
            read();
        }
        catch (RuleViolationException ex)
        {
            throw new ValidationException([new ValidationFailure(property, ex.Message)]);
        }
    }
}
