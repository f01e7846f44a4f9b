using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Projects;
using FluentValidation;
using FluentValidation.Results;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.AddImages;

/// <summary>
/// One uploaded file; <see cref="Error"/> is set when it was refused before decoding (e.g. too
/// large). <see cref="Metadata"/> becomes the item's metadata (a manifest's other columns);
/// <see cref="Reference"/>, when set, names the file in reports (e.g. "line 12: photos/a.jpg").
/// </summary>
public sealed record UploadedFile(string Name, byte[] Bytes, string? Error = null, IReadOnlyDictionary<string, string>? Metadata = null, string? Reference = null);

/// <summary>Adds images (files or .zip archives) to a project. Each file is added, skipped as a duplicate, or refused with a reason.</summary>
public sealed record AddImages(Guid OwnerId, Guid ProjectId, IReadOnlyList<UploadedFile> Files) : ICommand<AddImagesReport>;

public sealed record AddedImage(Guid ItemId, string FileName);

public sealed record SkippedFile(string FileName, string Reason);

public sealed record AddImagesReport(IReadOnlyList<AddedImage> Added, IReadOnlyList<SkippedFile> Duplicates, IReadOnlyList<SkippedFile> Rejected);

public sealed class AddImagesValidator : AbstractValidator<AddImages>
{
    public AddImagesValidator()
    {
        RuleFor(c => c.Files).NotEmpty()
            .WithMessage(_ => Texts.T("Aucun fichier envoyé.", "No file was sent."));
    }
}

public sealed class AddImagesHandler(
    IDocumentSession session,
    IImageInspector inspector,
    IImageStore store,
    IOptions<UploadLimits> options,
    TimeProvider clock) : ICommandHandler<AddImages, AddImagesReport>
{
    public async ValueTask<AddImagesReport> Handle(AddImages command, CancellationToken cancellationToken)
    {
        var project = await session.LoadOwnedAsync(command.ProjectId, command.OwnerId, cancellationToken);
        var limits = options.Value;
        var files = Expand(command.Files, limits);
        return await ImageIntake.AddAsync(session, inspector, store, limits, clock.GetUtcNow(), project.Id, command.OwnerId, files, cancellationToken);
    }

    /// <summary>Expands the .zip archives of an upload into their files, within the upload limits.</summary>
    public static List<UploadedFile> ExpandUploads(IReadOnlyList<UploadedFile> uploads, UploadLimits limits) => Expand(uploads, limits);

    private static List<UploadedFile> Expand(IReadOnlyList<UploadedFile> uploads, UploadLimits limits)
    {
        var budget = limits.MaxTotalBytes;
        var files = new List<UploadedFile>();
        foreach (var upload in uploads)
        {
            if (upload.Error is null && ArchiveExpander.IsZip(upload.Bytes))
            {
                files.AddRange(ArchiveExpander.Expand(upload.Name, upload.Bytes, limits, ref budget));
            }
            else
            {
                budget -= upload.Bytes.Length;
                files.Add(upload);
            }

            if (files.Count > limits.MaxFiles || budget < 0)
            {
                throw new ValidationException([new ValidationFailure("files", Texts.T(
                    $"Envoi trop volumineux : au plus {limits.MaxFiles} fichiers et {limits.MaxTotalBytes / (1024 * 1024)} Mo.",
                    $"Upload too large: at most {limits.MaxFiles} files and {limits.MaxTotalBytes / (1024 * 1024)} MB."))]);
            }
        }

        return files;
    }
}
