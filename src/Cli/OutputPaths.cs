using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli;

/// <summary>
/// What the commands that write a file or a folder (consensus --out, predict --out, train-images
/// --out) say when they cannot: one sentence in the terminal's language naming the path the user
/// gave, with the system's reason after it. The folder it goes into must exist: nothing creates it
/// silently, and this is checked before any long work.
/// </summary>
internal static class OutputPaths
{
    public static CliException CannotWrite(string path, string reason) => new(Texts.T(
        $"{path} : impossible d'écrire le fichier ({reason.TrimEnd('.')}).",
        $"{path}: cannot write the file ({reason.TrimEnd('.')})."));

    public static CliException CannotSaveModel(string directory, string reason) => new(Texts.T(
        $"{directory} : impossible d'enregistrer le modèle ({reason.TrimEnd('.')}).",
        $"{directory}: cannot save the model ({reason.TrimEnd('.')})."));

    /// <summary>The folder <paramref name="path"/> goes into, refused (<paramref name="refuse"/>) when it does not exist.</summary>
    public static string ExistingFolderOf(string path, Func<string, string, CliException> refuse)
    {
        ArgumentNullException.ThrowIfNull(refuse);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var folder = Path.GetDirectoryName(full) ?? full;
        if (!Directory.Exists(folder))
        {
            throw refuse(path, Texts.T($"le dossier « {folder} » n'existe pas", $"the folder '{folder}' does not exist"));
        }

        return folder;
    }
}
