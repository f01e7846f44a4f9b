using System.Text.RegularExpressions;
using CoConstruisons.Application.Common;
using Npgsql;

namespace CoConstruisons.Infrastructure.EventStore;

/// <summary>
/// Checks of the two database settings an operator writes by hand (the connection string and the schema name), so
/// that a typo gets a sentence saying what is wrong before anything tries to connect.
/// </summary>
public static partial class DatabaseSettings
{
    /// <summary>The platform's schema when none is configured.</summary>
    public const string DefaultSchema = "coconstruisons";

    /// <summary>Why <paramref name="connectionString"/> is not a PostgreSQL connection string, in the current language; null when it is one.</summary>
    public static string? ConnectionProblem(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException)
        {
            // Neither the string nor the parser's words are repeated: either may hold part of a password (a password
            // with an unquoted ';' reads as an unknown keyword), and this message reaches terminals and logs.
            return Texts.T(
                "la chaîne de connexion donnée n'est pas une chaîne de connexion PostgreSQL (mot-clé inconnu ou forme invalide ; elle n'est pas reproduite ici, car elle peut contenir un mot de passe) ; forme attendue : \"Host=…;Database=…;Username=…;Password=…\" (un mot de passe qui contient « ; » s'écrit entre guillemets).",
                "the connection string given is not a PostgreSQL connection string (unknown keyword or invalid form; it is not repeated here, as it may hold a password); expected form: \"Host=…;Database=…;Username=…;Password=…\" (a password that holds ';' is written in quotes).");
        }
    }

    /// <summary>
    /// Why <paramref name="schema"/> cannot name the platform's PostgreSQL schema, in the current language; null when it can.
    /// Marten and Quartz write the name into their SQL, so only plain identifiers are accepted: a letter or an underscore,
    /// then letters, digits or underscores, at most 63 characters (PostgreSQL's limit).
    /// </summary>
    public static string? SchemaProblem(string schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return PlainIdentifier().IsMatch(schema)
            ? null
            : Texts.T(
                $"le nom de schéma « {schema} » n'est pas accepté : une lettre ou « _ », puis des lettres, chiffres ou « _ », 63 caractères au plus (par exemple « coconstruisons »).",
                $"the schema name '{schema}' is not accepted: a letter or '_', then letters, digits or '_', at most 63 characters (for example 'coconstruisons').");
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
