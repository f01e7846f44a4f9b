using System.Security.Cryptography;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Domain.Items;
using Marten;

namespace CoConstruisons.Application.Images.AddImages;

/// <summary>
/// The one way files become items, shared by every import (uploads, manifests, tiles): size limit,
/// decoding with <see cref="IImageInspector"/> (pixel limit, corrupt images), SHA-256 dedup within
/// the batch and against the project, content-addressed storage, then <see cref="Item"/> +
/// <see cref="ItemAdded"/> in one SaveChanges. With <c>beforeSave</c>, the caller stores its own
/// documents (a job's progress) in that same SaveChanges, which then always happens.
/// </summary>
public static class ImageIntake
{
    public static async Task<AddImagesReport> AddAsync(
        IDocumentSession session,
        IImageInspector inspector,
        IImageStore store,
        UploadLimits limits,
        DateTimeOffset now,
        Guid projectId,
        Guid ownerId,
        IReadOnlyList<UploadedFile> files,
        CancellationToken cancellationToken,
        Action<AddImagesReport>? beforeSave = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inspector);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(files);
        var added = new List<AddedImage>();
        var duplicates = new List<(int Index, SkippedFile File)>();
        var rejected = new List<SkippedFile>();
        var accepted = new List<(int Index, UploadedFile File, string Hash, ImageInspection Image)>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, index) in files.Select((f, i) => (f, i)))
        {
            if (file.Error is not null)
            {
                rejected.Add(new SkippedFile(file.Reference ?? file.Name, file.Error));
                continue;
            }

            if (file.Bytes.Length > limits.MaxImageBytes)
            {
                rejected.Add(new SkippedFile(file.Reference ?? file.Name, Texts.T(
                    $"fichier trop gros (plus de {limits.MaxImageBytes / (1024 * 1024)} Mo)",
                    $"file too large (over {limits.MaxImageBytes / (1024 * 1024)} MB)")));
                continue;
            }

            var image = inspector.Inspect(file.Bytes, limits.MaxPixels);
            if (!image.IsValid)
            {
                rejected.Add(new SkippedFile(file.Reference ?? file.Name, image.Error ?? "?"));
                continue;
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(file.Bytes));
            if (seen.TryGetValue(hash, out var first))
            {
                duplicates.Add((index, new SkippedFile(file.Reference ?? file.Name, Texts.T($"même contenu que « {first} »", $"same content as '{first}'"))));
                continue;
            }

            seen[hash] = file.Reference ?? file.Name;
            accepted.Add((index, file, hash, image));
        }

        var hashes = accepted.Select(a => a.Hash).ToArray();
        var existing = hashes.Length == 0
            ? []
            : (await session.Query<Item>()
                .Where(i => i.ProjectId == projectId && i.ContentHash.IsOneOf(hashes))
                .Select(i => new ExistingItem(i.ContentHash, i.FileName))
                .ToListAsync(cancellationToken)).ToDictionary(i => i.Hash, i => i.FileName);

        foreach (var (index, file, hash, image) in accepted)
        {
            if (existing.TryGetValue(hash, out var previous))
            {
                duplicates.Add((index, new SkippedFile(file.Reference ?? file.Name, Texts.T($"déjà dans le projet (« {previous} »)", $"already in the project ('{previous}')"))));
                continue;
            }

            await store.SaveAsync(hash, file.Bytes, image.Thumbnail, cancellationToken);
            var item = new Item
            {
                Id = Guid.CreateVersion7(),
                ProjectId = projectId,
                FileName = Path.GetFileName(file.Name),
                ContentHash = hash,
                MediaType = image.MediaType,
                Width = image.Width,
                Height = image.Height,
                SizeBytes = file.Bytes.Length,
                Metadata = file.Metadata is null ? [] : new Dictionary<string, string>(file.Metadata, StringComparer.Ordinal),
                CreatedAt = now,
            };
            session.Store(item);
            session.Events.StartStream<Item>(item.Id, new ItemAdded(item.Id, projectId, item.FileName, hash, ownerId, now));
            added.Add(new AddedImage(item.Id, item.FileName));
        }

        var result = new AddImagesReport(added, duplicates.OrderBy(d => d.Index).Select(d => d.File).ToList(), rejected);
        if (beforeSave is not null)
        {
            // The caller records what became of these files (e.g. a job's progress) in the same transaction.
            beforeSave(result);
            await session.SaveChangesAsync(cancellationToken);
        }
        else if (added.Count > 0)
        {
            await session.SaveChangesAsync(cancellationToken);
        }

        return result;
    }

    private sealed record ExistingItem(string Hash, string FileName);
}
