using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli;

/// <summary>A usage error: printed with the command's usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Minimal argument parsing: positionals, "--name value", "--name=value" and "--flag". Unknown
/// options are errors, so a typo never silently changes what a command does.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _missingValue = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positionals { get; }

    public CliArgs(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var positionals = new List<string>();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positionals.Add(arg);
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[2..eq] : arg[2..];
            if (eq > 0)
            {
                _options[name] = arg[(eq + 1)..];
            }
            else if (flags.Contains(name))
            {
                _options[name] = null;
            }
            else if (i + 1 < list.Count)
            {
                _options[name] = list[++i];
            }
            else
            {
                // Last on the line without a value: an option the command reads is then missing its value, any other
                // is unknown (which EnsureAllRead says), so a typo reads the same wherever it stands.
                _missingValue.Add(name);
            }
        }

        Positionals = positionals;
    }

    public string? Option(string name)
    {
        _read.Add(name);
        if (_missingValue.Contains(name))
        {
            throw new UsageException(Texts.T($"L'option --{name} attend une valeur.", $"Option --{name} needs a value."));
        }

        return _options.GetValueOrDefault(name);
    }

    public string RequiredOption(string name) =>
        Option(name) ?? throw new UsageException(Texts.T($"L'option --{name} est obligatoire.", $"Option --{name} is required."));

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    public int IntOption(string name, int fallback)
    {
        var value = Option(name);
        return value is null ? fallback
            : int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
            : throw new UsageException(Texts.T($"L'option --{name} doit être un nombre entier, pas « {value} ».", $"Option --{name} must be a whole number, not '{value}'."));
    }

    public double DoubleOption(string name, double fallback)
    {
        var value = Option(name);
        return value is null ? fallback
            : double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x
            : throw new UsageException(Texts.T($"L'option --{name} doit être un nombre, pas « {value} ».", $"Option --{name} must be a number, not '{value}'."));
    }

    /// <summary>Call after reading every option: refuses options the command does not know.</summary>
    public void EnsureAllRead()
    {
        var unknown = _options.Keys.Concat(_missingValue).Where(k => !_read.Contains(k)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException(Texts.T("Option(s) inconnue(s) : ", "Unknown option(s): ") + string.Join(", ", unknown.Select(u => "--" + u)));
        }
    }
}
