using CoConstruisons.Application.Abstractions;
using CoConstruisons.Domain.Items;
using Marten;

namespace CoConstruisons.Api.Endpoints;

/// <summary>Serves item images and thumbnails by item id (ids are random and unguessable; bytes are content-addressed and immutable).</summary>
public static class ImageEndpoints
{
    public static void MapImages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/{itemId:guid}", (Guid itemId, IQuerySession session, IImageStore store, CancellationToken ct) =>
            Serve(itemId, thumbnail: false, session, store, ct));
        app.MapGet("/images/{itemId:guid}/thumbnail", (Guid itemId, IQuerySession session, IImageStore store, CancellationToken ct) =>
            Serve(itemId, thumbnail: true, session, store, ct));
    }

    private static async Task<IResult> Serve(Guid itemId, bool thumbnail, IQuerySession session, IImageStore store, CancellationToken ct)
    {
        var item = await session.LoadAsync<Item>(itemId, ct);
        if (item is null)
        {
            return Results.NotFound();
        }

        var stream = thumbnail ? store.OpenThumbnail(item.ContentHash) : store.OpenOriginal(item.ContentHash);
        if (stream is null)
        {
            return Results.NotFound();
        }

        return Results.Stream(stream, thumbnail ? "image/jpeg" : item.MediaType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{item.ContentHash}\""));
    }
}
