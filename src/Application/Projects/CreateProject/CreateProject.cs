using CoConstruisons.Domain.Projects;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Projects.CreateProject;

public sealed record CreateProject(Guid OwnerId, ProjectSettings Settings) : ICommand<ProjectSummary>;

public sealed class CreateProjectHandler(IDocumentSession session, TimeProvider clock) : ICommandHandler<CreateProject, ProjectSummary>
{
    public async ValueTask<ProjectSummary> Handle(CreateProject command, CancellationToken cancellationToken)
    {
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            Settings = Normalize(command.Settings),
            OwnerIds = [command.OwnerId],
            CreatedAt = clock.GetUtcNow(),
        };
        session.Store(project);
        await session.SaveChangesAsync(cancellationToken);
        return new ProjectSummary(project, [], 0, 0, 0);
    }

    private static ProjectSettings Normalize(ProjectSettings s) => s with
    {
        Title = s.Title.Trim(),
        Description = s.Description.Trim(),
        Question = s.Question.Trim(),
        Instructions = s.Instructions.Trim(),
        Choices = s.Choices.Select(c => new Choice(c.Key.Trim(), c.Label.Trim())).ToList(),
    };
}
