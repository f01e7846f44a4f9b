using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Domain.Contributions;
using CoConstruisons.Domain.Contributors;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Images.OpenSolarMapImport;

/// <summary>What an import did, and every input it could not use (counted, with examples).</summary>
public sealed class ImportReport
{
    public Guid ProjectId { get; set; }
    public bool ProjectCreated { get; set; }
    public int ImagesFound { get; set; }
    public int ItemsImported { get; set; }
    public int ItemsAlreadyPresent { get; set; }
    public int AnswersImported { get; set; }
    public int AnswersAlreadyPresent { get; set; }
    /// <summary>Set after the import by the platform's consensus refit (skill-aware), which also retires confident items.</summary>
    public int ItemsRetired { get; set; }
    public int RefitAnswers { get; set; }
    public int RefitContributors { get; set; }
    public int ContributorsCreated { get; set; }
    public int ImagesWithoutAnswers { get; set; }
    public int ImagesUnreadable { get; set; }
    public int ImagesWithoutFootprint { get; set; }
    public int ImagesDuplicateContent { get; set; }
    public int AnswersOnDuplicateImages { get; set; }
    public int AnswersOnMissingImages { get; set; }
    public int AnswersRepeated { get; set; }
    public List<BadRow> BadRows { get; set; } = [];
    public List<string> Examples { get; set; } = [];
    public double Seconds { get; set; }
}

/// <summary>
/// Imports OpenSolarMap (images, historical answers, footprints) into a platform project: one item
/// per image (stream id derived from the project and building id), its <see cref="ItemAdded"/> and
/// all its answers as <see cref="AnswerSubmitted"/> events in the same transaction (the caller then
/// runs the platform's consensus refit, which labels and retires items), so a second
/// run skips every item already present (idempotent on the building id). Batches of about
/// <see cref="BatchEvents"/> events per SaveChanges.
/// </summary>
public sealed class OpenSolarMapImporter(
    IDocumentStore store,
    IImageInspector inspector,
    IImageStore images,
    IPseudonymizer pseudonymizer)
{
    public const string Channel = "opensolarmap";
    public const int BatchEvents = 1000;
    private const long MaxPixels = 40_000_000;

    public static ProjectSettings Settings(string title) => new(
        title,
        "Orientation des toits de bâtiments français vus sur photographie aérienne (OpenSolarMap, Etalab 2015).",
        "Quelle est l'orientation de ce toit ?",
        RoofOrientation.Choices,
        AllowDontKnow: false,
        "Le faîtage (la ligne du haut du toit) indique l'orientation : un toit nord–sud a ses deux pans face au nord et au sud.",
        AnswersPerItem: 10,
        MinAnswersPerItem: 2,
        ConfidenceTarget: 0.95);

    /// <summary>A stable id from a project and a key (so a rerun finds the same item or answer).</summary>
    public static Guid StableId(Guid projectId, string kind, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{projectId:N}|{kind}|{key}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public async Task<ImportReport> RunAsync(
        Guid ownerId,
        Guid projectId,
        string imagesPath,
        IReadOnlyList<OsmContribution> contributions,
        IReadOnlyDictionary<string, OsmBuilding> buildings,
        Func<int, int, Task>? progress,
        CancellationToken ct,
        UploadLimits? archiveLimits = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var report = new ImportReport { ProjectId = projectId };
        var sources = ImageSources(imagesPath, archiveLimits);
        report.ImagesFound = sources.Count;

        // Answers grouped by building, in time order; repeats (same contributor twice) keep the first.
        var byBuilding = contributions.OrderBy(c => c.CreatedAt).ThenBy(c => c.Line)
            .GroupBy(c => c.BuildingId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (building, rows) in byBuilding)
        {
            if (!sources.ContainsKey(building))
            {
                report.AnswersOnMissingImages += rows.Count;
                Example(report, Texts.T(
                    $"{rows.Count} réponse(s) sur le bâtiment {building}, qui n'a pas d'image (la première à la ligne {rows[0].Line})",
                    $"{rows.Count} answer(s) on building {building}, which has no image (first at line {rows[0].Line})"));
            }
        }

        await using (var query = store.QuerySession())
        {
            var project = await query.LoadAsync<Project>(projectId, ct) ?? throw NotFoundException.Project(projectId);
            _ = project;
        }

        HashSet<Guid> existing;
        HashSet<string> knownContributors;
        Dictionary<string, string> hashes;
        await using (var query = store.QuerySession())
        {
            var present = await query.Query<Item>().Where(i => i.ProjectId == projectId).Select(i => new ExistingItem(i.Id, i.ContentHash, i.FileName)).ToListAsync(ct);
            existing = [.. present.Select(p => p.Id)];
            hashes = present.GroupBy(p => p.ContentHash, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().FileName, StringComparer.Ordinal);
            knownContributors = [.. await query.Query<Contributor>().Where(c => c.Channel == Channel).Select(c => c.Id).ToListAsync(ct)];
        }

        var keys = OpenSolarMapFiles.ChoiceKeys;
        var ordered = sources.Keys.Order(StringComparer.Ordinal).ToList();
        var done = 0;
        var batch = new List<string>();
        var batchEvents = 0;
        foreach (var building in ordered)
        {
            var answers = byBuilding.GetValueOrDefault(building) ?? [];
            if (existing.Contains(StableId(projectId, "item", building)))
            {
                report.ItemsAlreadyPresent++;
                report.AnswersAlreadyPresent += answers.Select(a => a.Contributor).Distinct(StringComparer.Ordinal).Count();
                if (progress is not null)
                {
                    await progress(++done, ordered.Count);
                }
                else
                {
                    done++;
                }

                continue;
            }

            batch.Add(building);
            batchEvents += 1 + answers.Count;
            if (batchEvents >= BatchEvents)
            {
                await SaveBatch(batch);
                batch.Clear();
                batchEvents = 0;
            }
        }

        if (batch.Count > 0)
        {
            await SaveBatch(batch);
        }

        report.Seconds = watch.Elapsed.TotalSeconds;
        return report;

        async Task SaveBatch(List<string> buildingIds)
        {
            // Decode and thumbnail in parallel (CPU), then write sequentially in one transaction.
            var prepared = new (string Building, byte[]? Bytes, ImageInspection? Image, string Hash)[buildingIds.Count];
            Parallel.For(0, buildingIds.Count, new ParallelOptions { CancellationToken = ct }, i =>
            {
                var bytes = sources[buildingIds[i]].Read();
                var image = bytes is null ? null : inspector.Inspect(bytes, MaxPixels);
                prepared[i] = (buildingIds[i], bytes, image, bytes is null ? "" : Convert.ToHexStringLower(SHA256.HashData(bytes)));
            });

            await using var session = store.LightweightSession();
            foreach (var (building, bytes, image, hash) in prepared)
            {
                if (bytes is null || image is null || !image.IsValid)
                {
                    report.ImagesUnreadable++;
                    Example(report, Texts.T(
                        $"image du bâtiment {building} refusée : {image?.Error ?? "illisible"}",
                        $"image of building {building} refused: {image?.Error ?? "cannot be read"}"));
                    continue;
                }

                var answers = byBuilding.GetValueOrDefault(building) ?? [];
                if (!hashes.TryAdd(hash, sources[building].FileName))
                {
                    // The platform keeps one item per distinct image (unique per project and content hash).
                    report.ImagesDuplicateContent++;
                    report.AnswersOnDuplicateImages += answers.Count;
                    Example(report, Texts.T(
                        $"l'image du bâtiment {building} a les mêmes octets que {hashes[hash]} : ni elle ni ses {answers.Count} réponse(s) ne sont importées",
                        $"image of building {building} has the same bytes as {hashes[hash]}: not imported, nor its {answers.Count} answer(s)"));
                    continue;
                }

                await images.SaveAsync(hash, bytes, image.Thumbnail, ct);
                var itemId = StableId(projectId, "item", building);
                var addedAt = answers.Count > 0 ? answers[0].CreatedAt : DateTimeOffset.UnixEpoch;
                var item = new Item
                {
                    Id = itemId,
                    ProjectId = projectId,
                    FileName = sources[building].FileName,
                    ContentHash = hash,
                    MediaType = image.MediaType,
                    Width = image.Width,
                    Height = image.Height,
                    SizeBytes = bytes.Length,
                    CreatedAt = addedAt,
                    Metadata = { ["building_id"] = building, ["source"] = Channel },
                };
                if (buildings.TryGetValue(building, out var b))
                {
                    item.Metadata["footprint"] = b.GeometryGeoJson;
                    if (b.SurfaceM2 is { } surface)
                    {
                        item.Metadata["surface_m2"] = surface.ToString("0.##", CultureInfo.InvariantCulture);
                    }
                }
                else
                {
                    report.ImagesWithoutFootprint++;
                }

                if (answers.Count == 0)
                {
                    report.ImagesWithoutAnswers++;
                }

                var events = new List<object> { new ItemAdded(itemId, projectId, item.FileName, hash, ownerId, addedAt) };
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var a in answers)
                {
                    var contributor = pseudonymizer.ContributorId(Channel, a.Contributor);
                    if (!seen.Add(contributor))
                    {
                        report.AnswersRepeated++;
                        Example(report, Texts.T(
                            $"ligne {a.Line} : une deuxième réponse du même contributeur sur le bâtiment {building} (la plateforme garde la première)",
                            $"line {a.Line}: a second answer by the same contributor on building {building} (the platform keeps the first)"));
                        continue;
                    }

                    var key = $"opensolarmap:{a.BuildingId}:{a.Contributor}:{a.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}";
                    var choice = keys[a.Choice];
                    events.Add(new AnswerSubmitted(StableId(projectId, "answer", key), itemId, projectId, contributor, choice, Channel, 0, key, a.CreatedAt));
                    report.AnswersImported++;
                    if (knownContributors.Add(contributor))
                    {
                        report.ContributorsCreated++;
                        session.Store(new Contributor { Id = contributor, Channel = Channel, FirstSeenAt = a.CreatedAt, ConsentedAt = a.CreatedAt, ConsentVersion = "opensolarmap-2015" });
                    }
                }

                session.Store(item);
                session.Events.StartStream<Item>(itemId, [.. events]);
                report.ItemsImported++;
            }

            await session.SaveChangesAsync(ct);
            done += buildingIds.Count;
            if (progress is not null)
            {
                await progress(done, ordered.Count);
            }
        }
    }

    private sealed record ExistingItem(Guid Id, string ContentHash, string FileName);

    private static void Example(ImportReport report, string text)
    {
        if (report.Examples.Count < 20)
        {
            report.Examples.Add(text);
        }
    }

    /// <summary>An image file (in a folder or a zip), by building id (its file name without extension).</summary>
    private sealed record ImageSource(string FileName, Func<byte[]?> Read);

    /// <summary>
    /// The images by building id. A .zip uploaded from the portal (<paramref name="archiveLimits"/> set)
    /// goes through <see cref="ArchiveExpander"/>: traversal, nested archives and decompression bombs
    /// refuse the whole archive, and an entry over the size limit is reported as unreadable.
    /// </summary>
    private static Dictionary<string, ImageSource> ImageSources(string path, UploadLimits? archiveLimits)
    {
        var sources = new Dictionary<string, ImageSource>(StringComparer.Ordinal);
        if (archiveLimits is not null && File.Exists(path))
        {
            var budget = archiveLimits.MaxTotalBytes;
            foreach (var file in ArchiveExpander.Expand(Path.GetFileName(path), File.ReadAllBytes(path), archiveLimits, ref budget))
            {
                var name = Path.GetFileName(file.Name);
                if (IsImageName(name))
                {
                    var bytes = file.Error is null ? file.Bytes : null;
                    sources[Path.GetFileNameWithoutExtension(name)] = new ImageSource(name, () => bytes);
                }
            }

            return sources;
        }

        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path).Where(IsImageName))
            {
                sources[Path.GetFileNameWithoutExtension(file)] = new ImageSource(Path.GetFileName(file), () => TryRead(file));
            }

            return sources;
        }

        if (File.Exists(path))
        {
            // Read the archive's entries into memory once (40k small JPEGs ≈ 180 MB).
            try
            {
                using var zip = ZipFile.OpenRead(path);
                foreach (var entry in zip.Entries.Where(e => e.Length > 0 && IsImageName(e.Name)))
                {
                    using var stream = entry.Open();
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    var bytes = copy.ToArray();
                    sources[Path.GetFileNameWithoutExtension(entry.Name)] = new ImageSource(entry.Name, () => bytes);
                }
            }
            catch (InvalidDataException ex)
            {
                throw UnreadableZip(path, ex);
            }

            return sources;
        }

        throw ImagesNotFound(path);
    }

    /// <summary>
    /// Refuses (<see cref="RuleViolationException"/>) images the import could not even list: no such
    /// folder or file, or a .zip whose directory cannot be read (truncated, not a zip). Cheap (a zip's
    /// directory only): run before the project is created.
    /// </summary>
    public static void CheckImages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return;
        }

        if (!File.Exists(path))
        {
            throw ImagesNotFound(path);
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException ex)
        {
            throw UnreadableZip(path, ex);
        }
    }

    private static RuleViolationException ImagesNotFound(string path) => new(Texts.T(
        $"Images introuvables à « {Path.GetFullPath(path)} » (attendu : un dossier de fichiers ID.jpg ou un .zip de ceux-ci).",
        $"Images not found at '{Path.GetFullPath(path)}' (expected a folder of ID.jpg files or a .zip of them)."));

    private static RuleViolationException UnreadableZip(string path, InvalidDataException ex) => new(Texts.T(
        $"{Path.GetFileName(path)} : {ArchiveExpander.UnreadableZip} ({ex.Message.TrimEnd('.')}).",
        $"{Path.GetFileName(path)}: {ArchiveExpander.UnreadableZip} ({ex.Message.TrimEnd('.')})."));

    private static bool IsImageName(string name) =>
        name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    private static byte[]? TryRead(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
