using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Images.AddImages;
using CoConstruisons.Application.Images.ImportManifest;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace CoConstruisons.Api.Endpoints;

/// <summary>
/// Browsers cannot stream gRPC-web uploads, so images arrive on one plain HTTP endpoint
/// (multipart/form-data, field "files", bearer token) and go through the same AddImages use case.
/// When one of the files is a .csv, it is a manifest: the ImportManifest use case adds one item
/// per row (the other files, or archives, hold the images it names; URLs are downloaded).
/// </summary>
public static class UploadEndpoints
{
    public static void MapUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/projects/{projectId}/images", Upload).DisableAntiforgery();
    }

    private static async Task<IResult> Upload(
        string projectId, HttpRequest request, IMediator mediator, CallerContext caller, IOptions<UploadLimits> limits, CancellationToken ct)
    {
        try
        {
            var owner = caller.RequireOwner(request.Headers.Authorization.ToString());
            var id = Ids.Parse(projectId, "project_id");
            if (!request.HasFormContentType)
            {
                return Problem(StatusCodes.Status400BadRequest, Texts.T("Envoyez les fichiers en multipart/form-data (champ « files »).", "Send files as multipart/form-data (field 'files')."));
            }

            var files = new List<UploadedFile>();
            try
            {
                var form = await request.ReadFormAsync(ct);
                var budget = limits.Value.MaxTotalBytes;
                foreach (var file in form.Files)
                {
                    if (file.Length > budget)
                    {
                        return Problem(StatusCodes.Status413PayloadTooLarge, Texts.T("Envoi trop volumineux.", "Upload too large."));
                    }

                    budget -= file.Length;
                    using var buffer = new MemoryStream((int)file.Length);
                    await file.CopyToAsync(buffer, ct);
                    files.Add(new UploadedFile(Path.GetFileName(file.FileName), buffer.ToArray()));
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException && !ct.IsCancellationRequested)
            {
                // A body cut short, without its closing boundary, or over the form's limits (field count, key
                // length): the form cannot be read, and nothing was stored. The parser's own words follow, for a developer.
                return Problem(StatusCodes.Status400BadRequest, Texts.T(
                    $"Envoi illisible : le formulaire multipart est incomplet ou mal formé (envoi interrompu ?) ; rien n'a été enregistré. Détail : {ex.Message}",
                    $"Unreadable upload: the multipart form is incomplete or malformed (interrupted upload?); nothing was stored. Detail: {ex.Message}"));
            }

            var manifests = files.Where(f => f.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToList();
            if (manifests.Count > 1)
            {
                return Problem(StatusCodes.Status400BadRequest, Texts.T("Un seul manifeste CSV par envoi.", "One CSV manifest per upload."));
            }

            if (manifests.Count == 1)
            {
                var images = files.Where(f => f != manifests[0]).ToList();
                var source = new UploadedManifestImages(images.Count == 0 ? [] : AddImagesHandler.ExpandUploads(images, limits.Value));
                var result = await mediator.Send(new ImportManifest(owner, id, manifests[0].Name, manifests[0].Bytes, source), ct);
                return Results.Ok(new
                {
                    added = result.Added.Select(a => new { itemId = a.ItemId, fileName = a.FileName }),
                    duplicates = result.Duplicates.Select(d => new { fileName = d.FileName, reason = d.Reason }),
                    rejected = result.Rejected.Select(r => new { fileName = r.FileName, reason = r.Reason }),
                    manifest = new
                    {
                        imageColumn = result.ImageColumn,
                        rows = result.Rows,
                        downloaded = result.Downloaded,
                        badRows = result.BadRows.Select(b => new { line = b.Line, reason = b.Reason }),
                        unreferenced = result.Unreferenced,
                    },
                });
            }

            var report = await mediator.Send(new AddImages(owner, id, files), ct);
            return Results.Ok(new
            {
                added = report.Added.Select(a => new { itemId = a.ItemId, fileName = a.FileName }),
                duplicates = report.Duplicates.Select(d => new { fileName = d.FileName, reason = d.Reason }),
                rejected = report.Rejected.Select(r => new { fileName = r.FileName, reason = r.Reason }),
            });
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
        catch (BadHttpRequestException ex)
        {
            return Problem(ex.StatusCode, Texts.T("Envoi refusé : ", "Upload refused: ") + ex.Message);
        }
        catch (InvalidDataException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, Texts.T("Envoi illisible : ", "Unreadable upload: ") + ex.Message);
        }
    }

    private static IResult Problem(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
