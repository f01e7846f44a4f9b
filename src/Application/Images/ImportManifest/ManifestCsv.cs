using System.Text;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Application.Images.ImportManifest;

/// <summary>One data row of a manifest: its first line number in the file, its fields, or the reason it is unusable.</summary>
public sealed record ManifestRow(int Line, IReadOnlyList<string> Fields, string? Error);

/// <summary>A parsed manifest: the header, the rows (usable or not), the delimiter found.</summary>
public sealed record ManifestTable(IReadOnlyList<string> Header, IReadOnlyList<ManifestRow> Rows, char Delimiter);

/// <summary>
/// Reads a CSV manifest (RFC 4180: quotes, doubled quotes, line breaks inside quotes; "," or ";"
/// as delimiter, found on the header line). Parsing is done on bytes, so one row that is not UTF-8
/// is reported as such and the others still read. Every row comes back: a row with the wrong
/// number of fields, invalid UTF-8 or an unterminated quote carries its reason, never dropped.
/// Empty lines are ignored.
/// </summary>
public static class ManifestCsv
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses the file; throws <see cref="FormatException"/> (message for the owner) when there is no usable header.</summary>
    public static ManifestTable Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var delimiter = FindDelimiter(bytes, start);
        var records = Records(bytes, start, (byte)delimiter);
        if (records.Count == 0)
        {
            throw new FormatException(Texts.T("Le manifeste est vide (pas de ligne d'en-tête).", "The manifest is empty (no header line)."));
        }

        var head = records[0];
        var header = head.Fields.Select(f => Decode(f)?.Trim()).ToList();
        if (head.Error is not null || header.Any(h => h is null))
        {
            throw new FormatException(Texts.T(
                "La ligne d'en-tête du manifeste est illisible (encodage UTF-8 attendu).",
                "The manifest's header line is unreadable (UTF-8 expected)."));
        }

        var names = header.Select(h => h!).ToList();
        var duplicate = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1 && g.Key.Length > 0);
        if (duplicate is not null)
        {
            throw new FormatException(Texts.T($"Colonne « {duplicate.Key} » en double dans l'en-tête.", $"Column '{duplicate.Key}' appears twice in the header."));
        }

        var rows = new List<ManifestRow>();
        foreach (var record in records.Skip(1))
        {
            if (record.Error is not null)
            {
                rows.Add(new ManifestRow(record.Line, [], record.Error));
                continue;
            }

            var fields = new List<string>(record.Fields.Count);
            string? error = null;
            foreach (var f in record.Fields)
            {
                var text = Decode(f);
                if (text is null)
                {
                    error = Texts.T("ligne non UTF-8 (encodage)", "row is not UTF-8 (encoding)");
                    break;
                }

                fields.Add(text);
            }

            if (error is null && fields.Count != names.Count)
            {
                error = fields.Count < names.Count
                    ? Texts.T($"ligne tronquée : {fields.Count} champs au lieu de {names.Count}", $"truncated row: {fields.Count} fields instead of {names.Count}")
                    : Texts.T($"trop de champs : {fields.Count} au lieu de {names.Count}", $"too many fields: {fields.Count} instead of {names.Count}");
            }

            rows.Add(new ManifestRow(record.Line, error is null ? fields : [], error));
        }

        return new ManifestTable(names, rows, delimiter);
    }

    private static string? Decode(byte[] field)
    {
        try
        {
            return StrictUtf8.GetString(field);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>"," unless the header line (outside quotes) has more ";" than "," (French spreadsheets).</summary>
    private static char FindDelimiter(byte[] bytes, int start)
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        for (var i = start; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (b == '\n' || b == '\r'))
            {
                break;
            }
            else if (!quoted && b == ',')
            {
                commas++;
            }
            else if (!quoted && b == ';')
            {
                semicolons++;
            }
        }

        return semicolons > commas ? ';' : ',';
    }

    private sealed record RawRecord(int Line, List<byte[]> Fields, string? Error);

    private static List<RawRecord> Records(byte[] bytes, int start, byte delimiter)
    {
        // UTF-8 never uses bytes below 0x80 inside a multi-byte character, so quotes, delimiters
        // and line breaks can be found on the bytes before decoding.
        var records = new List<RawRecord>();
        var fields = new List<byte[]>();
        var field = new List<byte>();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var wasQuoted = false;
        var any = false;
        for (var i = start; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (quoted)
            {
                if (b == '"')
                {
                    if (i + 1 < bytes.Length && bytes[i + 1] == '"')
                    {
                        field.Add((byte)'"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (b == '\n')
                    {
                        line++;
                    }

                    field.Add(b);
                }

                continue;
            }

            if (b == '"' && field.Count == 0 && !wasQuoted)
            {
                quoted = true;
                wasQuoted = true;
                any = true;
            }
            else if (b == delimiter)
            {
                fields.Add([.. field]);
                field.Clear();
                wasQuoted = false;
                any = true;
            }
            else if (b == '\n' || b == '\r')
            {
                if (b == '\r' && i + 1 < bytes.Length && bytes[i + 1] == '\n')
                {
                    i++;
                }

                if (any || field.Count > 0)
                {
                    fields.Add([.. field]);
                    records.Add(new RawRecord(recordLine, [.. fields], null));
                }

                fields.Clear();
                field.Clear();
                wasQuoted = false;
                any = false;
                line++;
                recordLine = line;
            }
            else
            {
                field.Add(b);
                any = true;
            }
        }

        if (quoted)
        {
            records.Add(new RawRecord(recordLine, [], Texts.T("guillemet non fermé (fichier tronqué ?)", "unterminated quote (truncated file?)")));
        }
        else if (any || field.Count > 0)
        {
            fields.Add([.. field]);
            records.Add(new RawRecord(recordLine, [.. fields], null));
        }

        return records;
    }
}
