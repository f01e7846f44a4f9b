using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Images.AddImages;

namespace CoConstruisons.Application.Images.ImportTiles;

/// <summary>
/// Cuts one feature's image out of an XYZ tile service: the tiles covering its bounding box (grown
/// by the margin) are fetched (shared between neighbouring features through a small cache),
/// stitched and cropped. The result is an <see cref="UploadedFile"/> for <see cref="ImageIntake"/>:
/// the PNG, or the reason it could not be made (tile URL and error). Used by the command
/// (<see cref="ImportTilesHandler"/>) and the background job (<c>TileImportRunner</c>).
/// </summary>
public sealed class TileCutter(
    IRemoteFileFetcher fetcher,
    ITileCompositor compositor,
    string template,
    int zoom,
    int marginPixels,
    int tileSize,
    int maxTilesPerFeature)
{
    /// <summary>Largest tile accepted (a tile is usually 10–60 kB).</summary>
    public const long MaxTileBytes = 4 * 1024 * 1024;

    private const int CachedTiles = 256;
    private readonly Dictionary<string, FetchedFile> _cache = new(StringComparer.Ordinal);

    /// <summary>Tiles actually downloaded so far (a cached tile counts once).</summary>
    public int TilesDownloaded { get; private set; }

    public async Task<UploadedFile> CutAsync(TileFeature feature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var (x, y, width, height) = WebMercator.PixelBox(feature.West, feature.South, feature.East, feature.North, zoom, tileSize, marginPixels);
        var reference = Texts.T($"objet {feature.Index} ({feature.Name})", $"feature {feature.Index} ({feature.Name})");
        var name = $"{Safe(feature.Name)}.png";
        var tx0 = x / tileSize;
        var ty0 = y / tileSize;
        var tx1 = (x + width - 1) / tileSize;
        var ty1 = (y + height - 1) / tileSize;
        var count = (tx1 - tx0 + 1) * (ty1 - ty0 + 1);
        if (count > maxTilesPerFeature)
        {
            return new UploadedFile(name, [], Texts.T(
                $"il faudrait {count} tuiles (au plus {maxTilesPerFeature}) : baissez le zoom",
                $"it would take {count} tiles (at most {maxTilesPerFeature}): lower the zoom"), feature.Metadata, reference);
        }

        var tiles = new List<PlacedTile>();
        for (var ty = ty0; ty <= ty1; ty++)
        {
            for (var tx = tx0; tx <= tx1; tx++)
            {
                var url = WebMercator.TileUrl(template, zoom, tx, ty);
                if (!_cache.TryGetValue(url, out var tile))
                {
                    tile = Uri.TryCreate(url, UriKind.Absolute, out var uri)
                        ? await fetcher.FetchAsync(uri, MaxTileBytes, cancellationToken)
                        : FetchedFile.Failed(Texts.T("adresse de tuile invalide", "invalid tile URL"));
                    TilesDownloaded += tile.Bytes is null ? 0 : 1;
                    if (_cache.Count >= CachedTiles)
                    {
                        _cache.Clear();
                    }

                    _cache[url] = tile;
                }

                if (tile.Bytes is null)
                {
                    return new UploadedFile(name, [], Texts.T($"tuile {url} : {tile.Error}", $"tile {url}: {tile.Error}"), feature.Metadata, reference);
                }

                tiles.Add(new PlacedTile(tx - tx0, ty - ty0, tile.Bytes, url));
            }
        }

        var composed = compositor.Compose(tiles, tileSize, x - (tx0 * tileSize), y - (ty0 * tileSize), width, height);
        return new UploadedFile(name, composed.Png ?? [], composed.Error, feature.Metadata, reference);
    }

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? "feature" : safe[..Math.Min(safe.Length, 80)];
    }
}
