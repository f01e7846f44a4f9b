namespace CoConstruisons.Learning;

/// <summary>A labels file or image folder that cannot be used as given.</summary>
public sealed class TrainingDataException(string message) : Exception(message);

/// <summary>Reads an image folder (id = file name without extension) and a labels CSV.</summary>
public static class ImageFolder
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif" };

    /// <summary>id → path of every image in <paramref name="directory"/> (not recursive).</summary>
    public static IReadOnlyDictionary<string, string> List(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new TrainingDataException(Messages.T(
                $"Le dossier d'images « {directory} » n'existe pas.",
                $"Image directory '{directory}' does not exist."));
        }

        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            if (Extensions.Contains(Path.GetExtension(path)))
            {
                images.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
        }

        return images.Count == 0
            ? throw new TrainingDataException(Messages.T(
                $"Le dossier d'images « {directory} » ne contient aucune image ({string.Join(", ", Extensions.Order(StringComparer.Ordinal))}).",
                $"Image directory '{directory}' contains no image ({string.Join(", ", Extensions.Order(StringComparer.Ordinal))})."))
            : images;
    }

    /// <summary>
    /// Reads a labels CSV: a header row, then `id,label` rows (first column the image file name
    /// without extension, second the label; further columns ignored). Every id must name an image.
    /// </summary>
    public static IReadOnlyList<(string Id, string Label)> ReadLabels(string csvPath, IReadOnlyDictionary<string, string> images)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        ArgumentNullException.ThrowIfNull(images);
        if (!File.Exists(csvPath))
        {
            throw new TrainingDataException(Messages.T(
                $"Le fichier d'étiquettes « {csvPath} » n'existe pas.",
                $"Labels file '{csvPath}' does not exist."));
        }

        var lines = File.ReadAllLines(csvPath).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (lines.Count == 0)
        {
            throw new TrainingDataException(Messages.T(
                $"Le fichier d'étiquettes « {csvPath} » est vide ; il faut une ligne d'en-tête (par exemple `item,label`) puis une ligne par image.",
                $"Labels file '{csvPath}' is empty; expected a header row (e.g. `item,label`) then one row per image."));
        }

        var header = Split(lines[0]);
        if (header.Length < 2 || images.ContainsKey(header[0]))
        {
            throw new TrainingDataException(Messages.T(
                $"Le fichier d'étiquettes « {csvPath} » doit commencer par une ligne d'en-tête d'au moins deux colonnes (par exemple `item,label`) ; sa première ligne `{lines[0]}` ressemble à des données.",
                $"Labels file '{csvPath}' must start with a header row of at least two columns (e.g. `item,label`); its first line `{lines[0]}` looks like data."));
        }

        var labels = new List<(string, string)>(lines.Count - 1);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        for (var i = 1; i < lines.Count; i++)
        {
            var fields = Split(lines[i]);
            if (fields.Length < 2 || fields[0].Length == 0 || fields[1].Length == 0)
            {
                throw new TrainingDataException(Messages.T(
                    $"Fichier d'étiquettes « {csvPath} », ligne {i + 1} : `id,label` attendu, `{lines[i]}` trouvé.",
                    $"Labels file '{csvPath}', line {i + 1}: expected `id,label`, got `{lines[i]}`."));
            }

            if (!seen.Add(fields[0]))
            {
                throw new TrainingDataException(Messages.T(
                    $"Fichier d'étiquettes « {csvPath} », ligne {i + 1} : « {fields[0]} » est étiqueté deux fois.",
                    $"Labels file '{csvPath}', line {i + 1}: '{fields[0]}' is labelled twice."));
            }

            if (!images.ContainsKey(fields[0]))
            {
                unknown.Add(fields[0]);
                continue;
            }

            labels.Add((fields[0], fields[1]));
        }

        if (unknown.Count > 0)
        {
            throw new TrainingDataException(Messages.T(
                $"{unknown.Count} étiquette(s) de « {csvPath} » ne désignent aucune image du dossier d'images, par exemple {string.Join(", ", unknown.Take(5).Select(u => $"« {u} »"))} (la première colonne est le nom de fichier de l'image sans son extension : « roof-12 » pour roof-12.jpg).",
                $"{unknown.Count} label(s) in '{csvPath}' name no image in the image directory, e.g. {string.Join(", ", unknown.Take(5).Select(u => $"'{u}'"))} (the first column is the image's file name without its extension: 'roof-12' for roof-12.jpg)."));
        }

        return labels.Count == 0
            ? throw new TrainingDataException(Messages.T(
                $"Le fichier d'étiquettes « {csvPath} » a une ligne d'en-tête mais aucune ligne d'étiquette.",
                $"Labels file '{csvPath}' has a header but no label rows."))
            : labels;
    }

    private static string[] Split(string line) => line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
}
