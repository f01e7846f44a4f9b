using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Owners;
using CoConstruisons.Application.Projects.CreateProject;
using CoConstruisons.Domain.Items;
using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Demo;

/// <summary>
/// Seeds the demo owner and the demo roof-orientation project with generated images. Running it
/// again keeps what exists (the project is found by title and owner), and puts back the images a
/// new checkout's image folder lacks (the database may outlive the folder): they are generated
/// again from the same seed, so their content, hence their address, is the same.
/// </summary>
public sealed record SeedDemo(string OwnerEmail, string OwnerPassword, int ImageCount) : ICommand<SeededDemo>;

public sealed record SeededDemo(Guid OwnerId, Guid ProjectId, bool Created, int ImagesRestored = 0);

public sealed class SeedDemoHandler(IMediator mediator, IQuerySession session, IDocumentSession documents, IDemoImageGenerator generator, IImageStore store, IImageInspector inspector) : ICommandHandler<SeedDemo, SeededDemo>
{
    public const string Title = "Orientation des toits (démo)";

    public static ProjectSettings DemoSettings => new(
        Title,
        "Projet de démonstration : des toits dessinés par le programme, pour essayer la plateforme.",
        "Dans quel sens est orienté ce toit ?",
        RoofOrientation.Choices,
        AllowDontKnow: true,
        "Regardez la ligne de faîtage (l'arête du toit) : verticale sur l'image = pans est et ouest ; horizontale = pans nord et sud.",
        AnswersPerItem: 3);

    public async ValueTask<SeededDemo> Handle(SeedDemo command, CancellationToken cancellationToken)
    {
        var owner = await mediator.Send(new RegisterOwner(command.OwnerEmail, "Porteur de projet (démo)", command.OwnerPassword, Researcher: true), cancellationToken);
        var existing = await session.Query<Project>()
            .Where(p => p.OwnerIds.Contains(owner.Id) && p.Settings.Title == Title)
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return new SeededDemo(owner.Id, existing.Id, false, await RestoreMissingImages(existing.Id, command.ImageCount, cancellationToken));
        }

        var project = await mediator.Send(new CreateProject(owner.Id, DemoSettings), cancellationToken);
        var images = generator.Generate(command.ImageCount, seed: 2015);
        var report = await mediator.Send(new AddImages(owner.Id, project.Project.Id, images.Select(i => new UploadedFile(i.FileName, i.Bytes)).ToList()), cancellationToken);

        // One image in twenty is gold: its answer is known, so contributors get feedback on it.
        var truth = images.ToDictionary(i => i.FileName, i => i.TrueChoice);
        var gold = report.Added.Where((_, index) => index % 20 == 0).Select(a => a.ItemId).ToList();
        foreach (var item in await documents.LoadManyAsync<Item>(cancellationToken, gold))
        {
            item.GoldChoice = truth[item.FileName];
            documents.Store(item);
            documents.Events.Append(item.Id, new GoldAnswerSet(item.Id, item.ProjectId, item.GoldChoice, DateTimeOffset.UtcNow));
        }

        await documents.SaveChangesAsync(cancellationToken);
        return new SeededDemo(owner.Id, project.Project.Id, true);
    }

    private async Task<int> RestoreMissingImages(Guid projectId, int imageCount, CancellationToken cancellationToken)
    {
        var hashes = await session.Query<Item>().Where(i => i.ProjectId == projectId).Select(i => i.ContentHash).ToListAsync(cancellationToken);
        var missing = hashes.Where(h =>
        {
            using var original = store.OpenOriginal(h);
            return original is null;
        }).ToHashSet(StringComparer.Ordinal);
        if (missing.Count == 0)
        {
            return 0;
        }

        var restored = 0;
        foreach (var image in generator.Generate(imageCount, seed: 2015))
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image.Bytes));
            if (missing.Contains(hash) && inspector.Inspect(image.Bytes, long.MaxValue) is { IsValid: true } inspection)
            {
                await store.SaveAsync(hash, image.Bytes, inspection.Thumbnail, cancellationToken);
                restored++;
            }
        }

        return restored;
    }
}
