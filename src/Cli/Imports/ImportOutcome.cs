using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Imports;

/// <summary>
/// How an import that ran to its end tells a script that some of its rows were not imported: exit
/// code 3 (like rsync's "partial transfer") and one line on standard error naming how many and
/// where the JSON report details them. Duplicates (already in the project) are not failures.
/// </summary>
public static class ImportOutcome
{
    /// <summary>The import ran; some rows or features were refused (the report says which and why).</summary>
    public const int PartialExitCode = 3;

    /// <summary>
    /// 0 when everything was imported or already there; otherwise writes the summary and returns
    /// <see cref="PartialExitCode"/>. <paramref name="noun"/> names one row in
    /// each language (a feminine noun in French: « ligne », « emprise »); its plural adds an s.
    /// </summary>
    public static int Finish(int total, int rejected, int invalid, (string French, string English) noun, string rejectedKey, string invalidKey)
    {
        var refused = rejected + invalid;
        if (refused == 0)
        {
            return 0;
        }

        static string S(int n) => n == 1 ? "" : "s";
        Console.Error.WriteLine(Texts.T(
            $"Import terminé, mais {refused} {noun.French}{S(refused)} sur {total} {(refused == 1 ? "n'a" : "n'ont")} pas été importée{S(refused)} ({rejected} refusée{S(rejected)}, {invalid} invalide{S(invalid)}) : les raisons sont sous « {rejectedKey} » et « {invalidKey} » dans le rapport JSON (code de sortie {PartialExitCode}).",
            $"Import finished, but {refused} of {total} {noun.English}{S(total)} {(refused == 1 ? "was" : "were")} not imported ({rejected} rejected, {invalid} invalid): the reasons are under '{rejectedKey}' and '{invalidKey}' in the JSON report (exit code {PartialExitCode})."));
        return PartialExitCode;
    }
}
