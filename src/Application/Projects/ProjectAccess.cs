using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Domain.Projects;
using Marten;

namespace CoConstruisons.Application.Projects;

/// <summary>Loads a project for one of its owners. Another owner's project is "not found": we never reveal it exists.</summary>
public static class ProjectAccess
{
    public static async Task<Project> LoadOwnedAsync(this IQuerySession session, Guid projectId, Guid ownerId, CancellationToken ct)
    {
        var project = await session.LoadAsync<Project>(projectId, ct);
        if (project is null || !project.IsOwnedBy(ownerId))
        {
            throw NotFoundException.Project(projectId);
        }

        return project;
    }

    public static async Task<Project> LoadPublicAsync(this IQuerySession session, Guid projectId, CancellationToken ct) =>
        await session.LoadAsync<Project>(projectId, ct) ?? throw NotFoundException.Project(projectId);
}
