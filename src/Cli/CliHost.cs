using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli;

public static class CliHost
{
    public static async Task<int> RunAsync(IReadOnlyList<ICliCommand> commands, string[] args)
    {
        // Longest match first: "bench consensus" before "bench".
        var command = commands
            .OrderByDescending(c => c.Name.Split(' ').Length)
            .FirstOrDefault(c => c.Name.Split(' ').SequenceEqual(args.Take(c.Name.Split(' ').Length)));
        var help = args.Contains("--help") || args.Contains("-h");
        if (command is null && args.Length > 0 && !help)
        {
            var unknown = string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')));
            Console.Error.WriteLine(Error + Texts.T(
                $"commande inconnue « {unknown} » (les commandes sont listées ci-dessous).",
                $"unknown command '{unknown}' (the commands are listed below)."));
        }

        if (command is null || help)
        {
            // Help asked for (or no command at all) goes to standard output, where a pager can read it; the list of
            // commands after an unknown one is part of an error message, so it goes to standard error with it.
            var asked = args.Length == 0 || help;
            PrintHelp(commands, command, asked ? Console.Out : Console.Error);
            return asked ? 0 : 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        try
        {
            var rest = args.Skip(command.Name.Split(' ').Length);
            return await command.RunAsync(new CliArgs(rest, FlagsOf(command)), cts.Token);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine(Error + ex.Message);
            Console.Error.WriteLine(UsagePrefix + command.Usage);
            return 2;
        }
        catch (CliException ex)
        {
            Console.Error.WriteLine(Error + ex.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine(Texts.T("annulé", "cancelled"));
            return 130;
        }
        catch (FluentValidation.ValidationException ex)
        {
            Console.Error.WriteLine(Error + string.Join(" ", ex.Errors.Select(e => e.ErrorMessage).Distinct(StringComparer.Ordinal)));
            return 1;
        }
        catch (Exception ex) when (DatabaseError(ex) is { } database)
        {
            // The driver's own message (connection refused, authentication…) is shown as it comes: English.
            var reason = database.Message.TrimEnd('.');
            Console.Error.WriteLine(Error + Texts.T(
                $"impossible d'utiliser la base de données PostgreSQL ({reason}). Démarrez PostgreSQL (`pg_ctlcluster 15 main start`, ou `make run` qui le fait) ou indiquez un autre serveur avec --connection \"Host=…;Database=…;Username=…;Password=…\".",
                $"cannot use the PostgreSQL database ({reason}). Start PostgreSQL (`pg_ctlcluster 15 main start`, or `make run` which does it) or give another server with --connection \"Host=…;Database=…;Username=…;Password=…\"."));
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(Error + ex.Message);
            return 1;
        }
    }

    /// <summary>"error: " before a message, in the terminal's language (French typography: a space before the colon).</summary>
    private static string Error => Texts.T("erreur : ", "error: ");

    private static string UsagePrefix => Texts.T("usage : coconstruisons ", "usage: coconstruisons ");

    /// <summary>The PostgreSQL driver's exception in <paramref name="ex"/>'s chain (connection refused, authentication…), if any.</summary>
    private static Exception? DatabaseError(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e.GetType().FullName?.StartsWith("Npgsql.", StringComparison.Ordinal) == true)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>French for the command line's and the platform's messages when the first locale variable that is set names French; English otherwise.</summary>
    public static void UseTerminalLanguage(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var locale = new[] { "LC_ALL", "LC_MESSAGES", "LANG" }.Select(environment).FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? "";
        var culture = System.Globalization.CultureInfo.GetCultureInfo(locale.StartsWith("fr", StringComparison.OrdinalIgnoreCase) ? "fr-FR" : "en-GB");
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = culture;
        System.Globalization.CultureInfo.CurrentUICulture = culture;
    }

    private static HashSet<string> FlagsOf(ICliCommand command) =>
        command is IHasFlags f ? new HashSet<string>(f.Flags, StringComparer.Ordinal) : [];

    private static void PrintHelp(IReadOnlyList<ICliCommand> commands, ICliCommand? selected, TextWriter to)
    {
        if (selected is not null)
        {
            to.WriteLine($"{UsagePrefix}{selected.Usage}\n\n{selected.Summary}");
            return;
        }

        to.WriteLine(Texts.T("coconstruisons — la ligne de commande de Co-construisons\n\ncommandes :", "coconstruisons — Co-construisons command line\n\ncommands:"));
        foreach (var c in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            to.WriteLine($"  {c.Usage}\n      {c.Summary}");
        }
    }
}

/// <summary>Commands with boolean options list them here (they take no value).</summary>
public interface IHasFlags
{
    IReadOnlyList<string> Flags { get; }
}

/// <summary>An expected failure (bad file, missing data): its message is printed, exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);
