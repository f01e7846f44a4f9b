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
/// again keeps what exists (the project is found by title and owner).
/// </summary>
public sealed record SeedDemo(string OwnerEmail, string OwnerPassword, int ImageCount) : ICommand<SeededDemo>;

public sealed record SeededDemo(Guid OwnerId, Guid ProjectId, bool Created);

public sealed class SeedDemoHandler(IMediator mediator, IQuerySession session, IDocumentSession documents, IDemoImageGenerator generator) : ICommandHandler<SeedDemo, SeededDemo>
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
            return new SeededDemo(owner.Id, existing.Id, false);
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
}
