using System.Security.Cryptography;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Projects;
using CoConstruisons.Domain.Items;
using FluentValidation;
using FluentValidation.Results;
using Marten;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Application.Images.AddImages;

/// <summary>One uploaded file; <see cref="Error"/> is set when it was refused before decoding (e.g. too large).</summary>
public sealed record UploadedFile(string Name, byte[] Bytes, string? Error = null);

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

        var added = new List<AddedImage>();
        var duplicates = new List<(int Index, SkippedFile File)>();
        var rejected = new List<SkippedFile>();
        var accepted = new List<(int Index, UploadedFile File, string Hash, ImageInspection Image)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, index) in files.Select((f, i) => (f, i)))
        {
            if (file.Error is not null)
            {
                rejected.Add(new SkippedFile(file.Name, file.Error));
                continue;
            }

            if (file.Bytes.Length > limits.MaxImageBytes)
            {
                rejected.Add(new SkippedFile(file.Name, Texts.T(
                    $"fichier trop gros (plus de {limits.MaxImageBytes / (1024 * 1024)} Mo)",
                    $"file too large (over {limits.MaxImageBytes / (1024 * 1024)} MB)")));
                continue;
            }

            var image = inspector.Inspect(file.Bytes, limits.MaxPixels);
            if (!image.IsValid)
            {
                rejected.Add(new SkippedFile(file.Name, image.Error ?? "?"));
                continue;
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(file.Bytes));
            if (seen.TryGetValue(hash, out var first))
            {
                duplicates.Add((index, new SkippedFile(file.Name, Texts.T($"même contenu que « {first} »", $"same content as '{first}'"))));
                continue;
            }

            seen[hash] = file.Name;
            accepted.Add((index, file, hash, image));
        }

        var hashes = accepted.Select(a => a.Hash).ToArray();
        var existing = hashes.Length == 0
            ? []
            : (await session.Query<Item>()
                .Where(i => i.ProjectId == project.Id && i.ContentHash.IsOneOf(hashes))
                .Select(i => new ExistingItem(i.ContentHash, i.FileName))
                .ToListAsync(cancellationToken)).ToDictionary(i => i.Hash, i => i.FileName);

        var now = clock.GetUtcNow();
        foreach (var (index, file, hash, image) in accepted)
        {
            if (existing.TryGetValue(hash, out var previous))
            {
                duplicates.Add((index, new SkippedFile(file.Name, Texts.T($"déjà dans le projet (« {previous} »)", $"already in the project ('{previous}')"))));
                continue;
            }

            await store.SaveAsync(hash, file.Bytes, image.Thumbnail, cancellationToken);
            var item = new Item
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                FileName = Path.GetFileName(file.Name),
                ContentHash = hash,
                MediaType = image.MediaType,
                Width = image.Width,
                Height = image.Height,
                SizeBytes = file.Bytes.Length,
                CreatedAt = now,
            };
            session.Store(item);
            session.Events.StartStream<Item>(item.Id, new ItemAdded(item.Id, project.Id, item.FileName, hash, command.OwnerId, now));
            added.Add(new AddedImage(item.Id, item.FileName));
        }

        if (added.Count > 0)
        {
            await session.SaveChangesAsync(cancellationToken);
        }

        return new AddImagesReport(added, duplicates.OrderBy(d => d.Index).Select(d => d.File).ToList(), rejected);
    }

    private sealed record ExistingItem(string Hash, string FileName);

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
