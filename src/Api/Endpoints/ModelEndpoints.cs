using System.IO.Compression;
using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Models;
using FluentValidation;
using Mediator;

namespace CoConstruisons.Api.Endpoints;

/// <summary>
/// A model version's files as one zip (metadata.json with model.zip and/or network.bin), for the project's owners
/// (bearer token). The files are checked first: missing or corrupt files answer 409 with the
/// reason, never a broken download.
/// </summary>
public static class ModelEndpoints
{
    public static void MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/projects/{projectId}/models/{version}/download", Download);
    }

    private static async Task<IResult> Download(string projectId, string version, HttpRequest request, IMediator mediator, CallerContext caller, CancellationToken ct)
    {
        try
        {
            var owner = caller.RequireOwner(request.Headers.Authorization.ToString());
            var files = await mediator.Send(new GetModelFiles(owner, Ids.Parse(projectId, "project_id"), version), ct);
            var buffer = new MemoryStream();
            using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                // The files were verified by GetModelFiles: the ones the metadata names exist and match their checksums.
                foreach (var name in new[] { "model.zip", "network.bin", "metadata.json" }.Where(n => File.Exists(Path.Combine(files.Directory, n))))
                {
                    await zip.CreateEntryFromFileAsync(Path.Combine(files.Directory, name), name, CompressionLevel.Fastest, ct);
                }
            }

            buffer.Position = 0;
            return Results.File(buffer, "application/zip", files.DownloadName);
        }
        catch (UnauthenticatedException ex)
        {
            return Problem(StatusCodes.Status401Unauthorized, ex.Message);
        }
        catch (NotFoundException ex)
        {
            return Problem(StatusCodes.Status404NotFound, ex.Message);
        }
        catch (ValidationException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, string.Join(" ", ex.Errors.Select(e => e.ErrorMessage)));
        }
        catch (ModelFileException ex)
        {
            return Problem(StatusCodes.Status409Conflict, Texts.T("Les fichiers de ce modèle sont inutilisables : ", "This model's files are unusable: ") + ex.Message);
        }
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
}
