using System.Globalization;
using System.Text.Json;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Experiments;
using CoConstruisons.Domain.Experiments;
using CoConstruisons.Domain.Owners;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// `experiments list|show|define|allocate|start|stop|results`: what researchers do in the portal's
/// experiments page, from a terminal, on the platform's database, as a researcher account (--as):
/// the same use cases, the same validation, the same audit trail (recorded under that account).
/// </summary>
public sealed class ExperimentsAdminCommand(string verb) : ICliCommand
{
    public static IReadOnlyList<ICliCommand> All { get; } =
        new[] { "list", "show", "define", "allocate", "start", "stop", "results" }.Select(v => (ICliCommand)new ExperimentsAdminCommand(v)).ToList();

    private const string Common = "--as RESEARCHER_EMAIL [--connection CS] [--schema S]";

    public string Name => "experiments " + verb;

    public string Usage => verb switch
    {
        "list" => $"experiments list {Common}",
        "show" => $"experiments show NAME {Common}",
        "define" => $"experiments define FILE.json {Common}",
        "allocate" => $"experiments allocate NAME VARIANT=PERCENT... {Common}",
        "start" => $"experiments start NAME {Common}",
        "stop" => $"experiments stop NAME --reason TEXT {Common}",
        _ => $"experiments results NAME {Common}",
    };

    public string Summary => verb switch
    {
        "list" => Texts.T("Liste les expériences enregistrées (nom, levier, statut, allocation).", "Lists the stored experiments (name, lever, status, allocation)."),
        "show" => Texts.T("Montre une expérience et son journal d'audit (qui a changé quoi, et quand).", "Shows one experiment and its audit trail (who changed what, when)."),
        "define" => Texts.T(
            "Enregistre les expériences d'un fichier de définitions comme brouillons (validées ; voir `experiments validate`).",
            "Stores the experiments of a definitions file as drafts (validated; see `experiments validate`)."),
        "allocate" => Texts.T(
            "Change l'allocation d'une expérience, en cours ou non (consigné dans son journal d'audit).",
            "Changes the allocation of an experiment, running or not (recorded in its audit trail)."),
        "start" => Texts.T("Commence à présenter les variantes d'une expérience aux contributeurs.", "Starts serving an experiment's variants to contributors."),
        "stop" => Texts.T("Arrête une expérience (avec une raison, gardée dans le journal d'audit).", "Stops an experiment (with a reason, kept in the audit trail)."),
        _ => Texts.T(
            "Affiche les résultats d'une expérience en un objet JSON (effets, intervalles à 95 %, verdicts, avertissement en cas de consultation anticipée).",
            "Prints an experiment's results as one JSON object (effects, 95 % intervals, verdicts, peeking warning)."),
    };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var email = args.RequiredOption("as");
        var reason = verb == "stop" ? args.RequiredOption("reason") : null;
        if (reason is not null && string.IsNullOrWhiteSpace(reason))
        {
            throw new UsageException(Texts.T(
                "L'option --reason demande un motif (il est gardé dans le journal d'audit).",
                "Option --reason needs a reason (it is kept in the audit trail)."));
        }

        var settings = PlatformServices.Settings(args.Option("connection"), args.Option("schema"));
        args.EnsureAllRead();
        var positionals = args.Positionals;
        if (verb != "list" && positionals.Count == 0)
        {
            throw new UsageException(Texts.T("Nommez l'expérience (ou le fichier).", "Name the experiment (or the file)."));
        }

        await using var provider = await PlatformServices.StartAsync(settings);
        await using var scope = provider.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        var normalized = Owner.NormalizeEmail(email);
        var owner = await session.Query<Owner>().FirstOrDefaultAsync(o => o.Email == normalized, cancellationToken)
            ?? throw new CliException(Texts.T(
                $"Aucun compte de porteur {normalized} : créez-le avec `coconstruisons add-owner --researcher`.",
                $"No owner account {normalized}: create it with `coconstruisons add-owner --researcher`."));
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        try
        {
            switch (verb)
            {
                case "list":
                    var list = await mediator.Send(new ListExperiments(owner.Id), cancellationToken);
                    if (list.Count == 0)
                    {
                        Console.Error.WriteLine(Texts.T(
                            "Aucune expérience enregistrée (`experiments define FICHIER.json` en enregistre).",
                            "No experiment is stored (`experiments define FILE.json` stores some)."));
                    }

                    foreach (var d in list)
                    {
                        // Tab-separated lines for scripts: the same in every language (state as draft / running / stopped).
                        Console.WriteLine($"{d.Name}\t{AuditLine.LeverName(d.Lever)}\t{ExperimentWords.Status(d.Status, english: true)}\t{AuditLine.Shares(d.Variants)}");
                    }

                    break;
                case "define":
                    var definitions = ReadFile(positionals[0]);
                    var stored = (await mediator.Send(new ListExperiments(owner.Id), cancellationToken)).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
                    var existing = definitions.Where(d => stored.Contains(d.Name)).Select(d => ExperimentProblem.AlreadyExists(d.Name)).ToList();
                    if (existing.Count > 0)
                    {
                        // Refused before storing any: the file is defined whole or not at all.
                        throw new ExperimentDefinitionException(existing);
                    }

                    foreach (var definition in definitions)
                    {
                        Print(await mediator.Send(new DefineExperiment(owner.Id, definition), cancellationToken));
                    }

                    break;
                case "allocate":
                    Print(await mediator.Send(new ChangeExperimentAllocation(owner.Id, positionals[0], ParseShares(positionals.Skip(1))), cancellationToken));
                    break;
                case "start":
                    Print(await mediator.Send(new StartExperiment(owner.Id, positionals[0]), cancellationToken));
                    break;
                case "stop":
                    Print(await mediator.Send(new StopExperiment(owner.Id, positionals[0], reason!), cancellationToken));
                    break;
                case "show":
                    Print(await mediator.Send(new GetExperiment(owner.Id, positionals[0]), cancellationToken));
                    break;
                default:
                    PrintResults(await mediator.Send(new GetExperimentResults(owner.Id, positionals[0]), cancellationToken));
                    break;
            }
        }
        catch (ExperimentDefinitionException ex)
        {
            throw new CliException(string.Join(Environment.NewLine, ex.ErrorsIn(Texts.IsEnglish)));
        }
        catch (Exception ex) when (ex is ForbiddenException or NotFoundException or ValidationException)
        {
            throw new CliException(ex.Message);
        }

        return 0;
    }

    /// <summary>Every definition of the file, as drafts; any problem in the file refuses it all, before anything is stored.</summary>
    private static List<ExperimentDefinition> ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException(ExperimentsValidateCommand.FileNotFound(path));
        }

        var (definitions, errors) = ExperimentsValidateCommand.ReadDefinitions(path);
        var drafts = definitions.Select(d => d with { Status = ExperimentStatus.Draft }).ToList();
        errors.AddRange(ExperimentValidator.ProblemsBetween(drafts).Select(p => p.In(Texts.IsEnglish)));
        return errors.Count > 0 ? throw new CliException(string.Join(Environment.NewLine, errors)) : drafts;
    }

    private static List<VariantAllocation> ParseShares(IEnumerable<string> words)
    {
        var shares = new List<VariantAllocation>();
        foreach (var word in words)
        {
            var parts = word.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0
                || !decimal.TryParse(parts[1].TrimEnd('%'), NumberStyles.Number, CultureInfo.InvariantCulture, out var percent))
            {
                throw new UsageException(Texts.T($"VARIANTE=POURCENTAGE attendu (par exemple playful=70), reçu « {word} ».", $"Expected VARIANT=PERCENT (e.g. playful=70), got \"{word}\"."));
            }

            shares.Add(new VariantAllocation(parts[0], percent));
        }

        return shares.Count > 0 ? shares : throw new UsageException(Texts.T("Donnez la nouvelle allocation, par exemple neutral=30 playful=70.", "Give the new allocation, e.g. neutral=30 playful=70."));
    }

    private static void Print(ExperimentDetail detail)
    {
        var d = detail.Definition;
        var head = $"{d.Name} ({AuditLine.LeverName(d.Lever)}, {StatusWord(d.Status)})";
        Console.WriteLine(Texts.T(
            $"{head} : {AuditLine.Shares(d.Variants)} ; {d.PlannedPerArm:N0} prévus par bras",
            $"{head}: {AuditLine.Shares(d.Variants)}; planned {d.PlannedPerArm:N0} per arm"));
        foreach (var entry in detail.Audit.Select(AuditLine.Of).OfType<AuditLine>())
        {
            var kind = ExperimentWords.AuditKind(entry.Kind, Texts.IsEnglish);
            Console.WriteLine($"  {entry.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)}  {entry.By}  {kind}  {entry.Summary}".TrimEnd());
        }
    }

    /// <summary>The state in the reader's language: brouillon, en cours, arrêtée / draft, running, stopped.</summary>
    private static string StatusWord(ExperimentStatus status) => ExperimentWords.Status(status, Texts.IsEnglish);

    private static void PrintResults(Application.Experiments.ExperimentResults results)
    {
        var report = results.Report;
        var json = new
        {
            experiment = results.Definition.Name,
            control = results.Definition.ControlVariant,
            exposed = results.Exposed,
            planned_per_arm = results.Definition.PlannedPerArm,
            interim = report?.IsInterim ?? true,
            peeking_warning = report?.PeekingWarningEn,
            comparisons = (report?.Comparisons ?? []).Select(c => new
            {
                metric = c.Metric.Key,
                variant = c.Variant,
                test = c.Test,
                control_value = Finite(c.Effect.ControlValue),
                variant_value = Finite(c.Effect.VariantValue),
                relative_effect = Finite(c.Effect.Relative),
                relative_95_low = Finite(c.Effect.RelativeLow),
                relative_95_high = Finite(c.Effect.RelativeHigh),
                p_value = Finite(c.Effect.PValue),
                always_valid_p_value = Finite(c.AlwaysValidPValue),
                significant = c.Significant,
                guardrail_breached = c.GuardrailBreached,
                verdict = c.VerdictEn,
            }),
        };
        Console.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
