using System.Globalization;
using System.Text;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Common.Exceptions;

namespace CoConstruisons.Application.Images.OpenSolarMapImport;

/// <summary>One answer of contributions.csv; <see cref="Line"/> is the 1-based line of the file (the header is line 1).</summary>
public sealed record OsmContribution(int Line, string BuildingId, string Choice, string Contributor, DateTimeOffset CreatedAt);

/// <summary>One row of buildings.csv (footprint GeoJSON, surface in m²).</summary>
public sealed record OsmBuilding(string BuildingId, string GeometryGeoJson, double? SurfaceM2);

/// <summary>A row that could not be used, and why (reported, never silently dropped).</summary>
public sealed record BadRow(string File, int Line, string Reason);

/// <summary>
/// Lenient readers for the OpenSolarMap files: every bad row (not UTF-8, wrong number of fields,
/// unknown choice, bad id or date) is kept as a <see cref="BadRow"/> and the rest is read.
/// Quoted fields (RFC 4180, doubled quotes) are supported within a line.
/// </summary>
public static class OpenSolarMapFiles
{
    /// <summary>OpenSolarMap's choice codes: 1 north–south, 2 east–west, 3 flat, 4 other (a class; see docs/opensolarmap.md).</summary>
    public static IReadOnlyList<string> ChoiceCodes { get; } = ["1", "2", "3", "4"];

    /// <summary>The platform's choice key for each OpenSolarMap code.</summary>
    public static IReadOnlyDictionary<string, string> ChoiceKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["1"] = "north_south",
        ["2"] = "east_west",
        ["3"] = "flat",
        ["4"] = "other",
    };

    private const string ContributionsHeader = "building_id,choice,contributor,created_at";

    private const string BuildingsHeader = "building_id,geometry_geojson,surface_m2,orientation_score,vote_label";

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>
    /// Refuses, as <see cref="ReadBuildings"/> would, a file that cannot be read, is empty or whose header
    /// is not the expected one (<see cref="RuleViolationException"/>), without parsing its rows: those are
    /// the only ways the reader fails (a bad row is counted, not refused).
    /// </summary>
    public static void CheckBuildingsHeader(string path) => _ = Records(path, BuildingsHeader, 5).Take(1).Count();

    /// <summary>
    /// Refuses (<see cref="RuleViolationException"/>) a contributions file the import could do nothing
    /// with: unreadable, empty, a wrong header, or no usable answer (header only, or every row bad).
    /// Reads up to the first usable answer, so a good file costs little; run before anything is created.
    /// </summary>
    public static void CheckContributions(string path)
    {
        var bad = new List<BadRow>();
        foreach (var (row, problem) in Contributions(path))
        {
            if (row is not null)
            {
                return;
            }

            bad.Add(problem!);
        }

        throw NoUsableAnswer(Path.GetFileName(path), bad);
    }

    /// <summary>The refusal of a contributions file with a header but no usable answer (<paramref name="bad"/>: its unusable rows).</summary>
    public static RuleViolationException NoUsableAnswer(string fileName, IReadOnlyList<BadRow> bad)
    {
        ArgumentNullException.ThrowIfNull(bad);
        return new RuleViolationException(bad.Count == 0
            ? Texts.T(
                $"{fileName} : aucune réponse après la ligne d'en-tête (attendu : une réponse par ligne, {ContributionsHeader}).",
                $"{fileName}: no answer after the header line (expected one answer per line, {ContributionsHeader}).")
            : Texts.T(
                $"{fileName} : aucune réponse utilisable ({bad.Count} ligne(s) refusée(s), la première à la ligne {bad[0].Line} : {bad[0].Reason}).",
                $"{fileName}: no usable answer ({bad.Count} row(s) refused, the first at line {bad[0].Line}: {bad[0].Reason})."));
    }

    public static (List<OsmContribution> Rows, List<BadRow> Bad) ReadContributions(string path)
    {
        var rows = new List<OsmContribution>();
        var bad = new List<BadRow>();
        foreach (var (row, problem) in Contributions(path))
        {
            if (row is not null)
            {
                rows.Add(row);
            }
            else
            {
                bad.Add(problem!);
            }
        }

        return (rows, bad);
    }

    /// <summary>Each row of contributions.csv, as an answer or as the reason it is unusable, in file order.</summary>
    private static IEnumerable<(OsmContribution? Row, BadRow? Bad)> Contributions(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var (line, fields, error) in Records(path, ContributionsHeader, 4))
        {
            if (error is not null)
            {
                yield return (null, new BadRow(name, line, error));
                continue;
            }

            var (id, choice, contributor, created) = (fields![0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[3].Trim());
            if (!long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                yield return (null, new BadRow(name, line, Texts.T($"building_id « {id} » n'est pas un nombre entier", $"building_id '{id}' is not a whole number")));
            }
            else if (!ChoiceKeys.ContainsKey(choice))
            {
                yield return (null, new BadRow(name, line, Texts.T($"choix inconnu « {choice} » (attendu : 1, 2, 3 ou 4)", $"unknown choice '{choice}' (expected 1, 2, 3 or 4)")));
            }
            else if (contributor.Length == 0)
            {
                yield return (null, new BadRow(name, line, Texts.T("contributeur vide", "empty contributor")));
            }
            else if (!DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                yield return (null, new BadRow(name, line, Texts.T($"created_at « {created} » n'est pas une date", $"created_at '{created}' is not a date")));
            }
            else
            {
                yield return (new OsmContribution(line, id, choice, contributor, at), null);
            }
        }
    }

    public static (Dictionary<string, OsmBuilding> Rows, List<BadRow> Bad) ReadBuildings(string path)
    {
        var rows = new Dictionary<string, OsmBuilding>(StringComparer.Ordinal);
        var bad = new List<BadRow>();
        var name = Path.GetFileName(path);
        foreach (var (line, fields, error) in Records(path, BuildingsHeader, 5))
        {
            if (error is not null)
            {
                bad.Add(new BadRow(name, line, error));
                continue;
            }

            var id = fields![0].Trim();
            double? surface = double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null;
            if (!rows.TryAdd(id, new OsmBuilding(id, fields[1], surface)))
            {
                bad.Add(new BadRow(name, line, Texts.T($"le bâtiment {id} apparaît deux fois (première ligne gardée)", $"building {id} appears twice (first row kept)")));
            }
        }

        return (rows, bad);
    }

    /// <summary>building_id,label rows (the Data Science Game labels).</summary>
    public static Dictionary<string, string> ReadLabels(string path)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, fields, error) in Records(path, "building_id,label", 2))
        {
            if (error is null)
            {
                labels[fields![0].Trim()] = fields[1].Trim();
            }
        }

        return labels;
    }

    /// <summary>Records of a one-record-per-line CSV, each with its fields or the reason it is unusable.</summary>
    private static IEnumerable<(int Line, List<string>? Fields, string? Error)> Records(string path, string expectedHeader, int columns)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RuleViolationException(Texts.T($"{Path.GetFileName(path)} : fichier illisible ({ex.Message}).", $"{Path.GetFileName(path)}: cannot read the file ({ex.Message})."));
        }

        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var line = 0;
        var headerSeen = false;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            var last = end < 0;
            if (last)
            {
                end = bytes.Length;
            }

            line++;
            var length = end - start;
            if (length > 0 && bytes[start + length - 1] == (byte)'\r')
            {
                length--;
            }

            string? text = null;
            string? error = null;
            try
            {
                text = StrictUtf8.GetString(bytes, start, length);
            }
            catch (DecoderFallbackException)
            {
                error = Texts.T("pas en UTF-8 valide", "not valid UTF-8");
            }

            start = end + 1;
            if (!headerSeen)
            {
                headerSeen = true;
                var header = (text ?? "").Trim();
                if (!string.Equals(header, expectedHeader, StringComparison.OrdinalIgnoreCase))
                {
                    throw new RuleViolationException(Texts.T($"{Path.GetFileName(path)} : ligne 1 : l'en-tête est « {header} », attendu « {expectedHeader} ».", $"{Path.GetFileName(path)}: line 1: header is '{header}', expected '{expectedHeader}'."));
                }

                continue;
            }

            if (error is not null)
            {
                yield return (line, null, error);
                continue;
            }

            if (text!.Trim().Length == 0)
            {
                continue;
            }

            var fields = Split(text, out var splitError);
            if (splitError is not null)
            {
                yield return (line, null, splitError);
            }
            else if (fields.Count != columns)
            {
                yield return (line, null, Texts.T($"{fields.Count} champ(s) au lieu de {columns} (ligne tronquée ou mal formée)", $"{fields.Count} field(s) instead of {columns} (truncated or malformed row)"));
            }
            else
            {
                yield return (line, fields, null);
            }
        }

        if (!headerSeen)
        {
            throw new RuleViolationException(Texts.T(
                $"{Path.GetFileName(path)} : le fichier est vide (attendu : la ligne d'en-tête « {expectedHeader} » puis une ligne par enregistrement).",
                $"{Path.GetFileName(path)}: the file is empty (expected the header line '{expectedHeader}' then one line per record)."));
        }
    }

    private static List<string> Split(string text, out string? error)
    {
        error = null;
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                if (!closed)
                {
                    error = Texts.T("un champ entre guillemets n'est jamais fermé (ligne tronquée)", "a quoted field is never closed (truncated row)");
                    return fields;
                }

                if (i < text.Length && text[i] != ',')
                {
                    error = Texts.T("caractère inattendu après un guillemet fermant", "unexpected character after a closing quote");
                    return fields;
                }
            }
            else
            {
                while (i < text.Length && text[i] != ',')
                {
                    field.Append(text[i++]);
                }
            }

            fields.Add(field.ToString());
            if (i >= text.Length)
            {
                return fields;
            }

            i++; // the comma
        }
    }
}
