using System.Text;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Csv;

/// <summary>One CSV record and the line of the file it starts on (1-based; the header is line 1).</summary>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields);

/// <summary>A parsed CSV file: its header and its records.</summary>
public sealed record CsvTable(string Path, IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows)
{
    /// <summary>The position of a column (names compared trimmed and case-insensitively), or -1.</summary>
    public int ColumnOf(string name)
    {
        for (var c = 0; c < Header.Count; c++)
        {
            if (string.Equals(Header[c].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>The position of a required column; a clear error naming the file and the header when missing.</summary>
    public int RequiredColumn(string name)
    {
        var c = ColumnOf(name);
        return c >= 0 ? c
            : throw new CliException(Texts.T(
                $"{Path} : ligne 1 : colonne « {name} » absente (l'en-tête est « {string.Join(",", Header)} » ; attendu au moins {name}).",
                $"{Path}: line 1: missing column '{name}' (header is '{string.Join(",", Header)}'; expected at least {name})."));
    }
}

/// <summary>
/// A small strict CSV reader (RFC 4180): comma-separated, fields may be quoted with double quotes,
/// a doubled quote inside a quoted field is a quote, quoted fields may contain commas and line
/// breaks; CRLF or LF line ends; a UTF-8 byte-order mark is skipped. The file must be valid UTF-8,
/// must have a header, and every record must have as many fields as the header (blank lines are
/// ignored). Every problem is a <see cref="CliException"/> naming the file and the line.
/// </summary>
public static class CsvReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CsvTable ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new CliException(Texts.T(
                $"{path} est un dossier : donnez le chemin du fichier CSV lui-même.",
                $"{path} is a folder: give the path of the CSV file itself."));
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(Texts.T($"{path} : impossible de lire le fichier ({ex.Message}).", $"{path}: cannot read the file ({ex.Message})."));
        }

        return Parse(path, Decode(path, bytes));
    }

    public static string Decode(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException ex)
        {
            var offset = ex.Index >= 0 ? start + ex.Index : -1;
            var line = 1;
            for (var b = 0; b < offset && b < bytes.Length; b++)
            {
                if (bytes[b] == (byte)'\n')
                {
                    line++;
                }
            }

            throw new CliException(Texts.T(
                $"{path} : ligne {line} : le fichier n'est pas en UTF-8 valide (octet {offset}) ; enregistrez-le en UTF-8 et réessayez.",
                $"{path}: line {line}: the file is not valid UTF-8 (byte offset {offset}); save it as UTF-8 and try again."));
        }
    }

    public static CsvTable Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = new List<CsvRow>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = 0;
        var atFieldStart = true;
        var recordHasContent = false;
        while (i < text.Length)
        {
            var ch = text[i];
            if (atFieldStart && ch == '"')
            {
                var quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new CliException(Texts.T(
                            $"{path} : ligne {quoteLine} : un champ entre guillemets n'est jamais refermé (« \" » manquant).",
                            $"{path}: line {quoteLine}: a quoted field is never closed (missing '\"')."));
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (text[i] == '\n')
                    {
                        line++;
                    }

                    field.Append(text[i]);
                    i++;
                }

                recordHasContent = true;
                atFieldStart = false;
                if (i < text.Length && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                {
                    throw new CliException(Texts.T(
                        $"{path} : ligne {line} : caractère « {text[i]} » inattendu après un guillemet fermant (un guillemet dans un champ doit être doublé : \"\").",
                        $"{path}: line {line}: unexpected character '{text[i]}' after a closing quote (a quote inside a field must be doubled: \"\")."));
                }

                continue;
            }

            switch (ch)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    recordHasContent = true;
                    i++;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    i++;
                    break;
                case '\r':
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    i++;
                    break;
                case '"':
                    throw new CliException(Texts.T(
                        $"{path} : ligne {line} : un guillemet dans un champ qui n'est pas entre guillemets (mettez tout le champ entre guillemets et doublez le guillemet : \"\").",
                        $"{path}: line {line}: a quote inside an unquoted field (quote the whole field and double the quote: \"\")."));
                default:
                    field.Append(ch);
                    recordHasContent = true;
                    atFieldStart = false;
                    i++;
                    break;
            }
        }

        EndRecord();
        if (records.Count == 0)
        {
            throw new CliException(Texts.T(
                $"{path} : le fichier est vide (attendu : une ligne d'en-tête et au moins un enregistrement).",
                $"{path}: the file is empty (expected a header line and at least one record)."));
        }

        var header = records[0].Fields;
        var rows = records.Skip(1).ToList();
        foreach (var row in rows)
        {
            if (row.Fields.Count != header.Count)
            {
                throw new CliException(Texts.T(
                    $"{path} : ligne {row.Line} : {row.Fields.Count} champ(s) alors que l'en-tête en a {header.Count} ({string.Join(",", header)}).",
                    $"{path}: line {row.Line}: {row.Fields.Count} field(s) where the header has {header.Count} ({string.Join(",", header)})."));
            }
        }

        return new CsvTable(path, header, rows);

        void EndRecord()
        {
            if (recordHasContent || field.Length > 0)
            {
                fields.Add(field.ToString());
                records.Add(new CsvRow(recordLine, [.. fields]));
            }

            fields.Clear();
            field.Clear();
            atFieldStart = true;
            recordHasContent = false;
        }
    }

    /// <summary>Quotes a field for writing when it contains a comma, a quote or a line break.</summary>
    public static string Escape(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }
}
