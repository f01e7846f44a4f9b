using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common.Exceptions;
using CoConstruisons.Application.Images.OpenSolarMapImport;
using CoConstruisons.Application.Owners;
using CoConstruisons.Domain.Owners;
using Marten;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// Imports OpenSolarMap (images, answers, footprints) into a project through the application
/// layer's services; a rerun resumes (items already imported are skipped). Prints a JSON report.
/// </summary>
public sealed class ImportOpenSolarMapCommand : ICliCommand
{
    public const string DefaultTitle = "OpenSolarMap — orientation des toits";

    public string Name => "import-opensolarmap";

    public string Usage =>
        "import-opensolarmap --images DIR_OR_ZIP --contributions CSV [--buildings CSV] [--project-title T] [--owner-email E] [--connection CS] [--schema S] [--storage DIR]";

    public string Summary => Texts.T(
        "Importe les images et les réponses historiques d'OpenSolarMap en un projet (un élément par image, les réponses en événements AnswerSubmitted) ; peut reprendre là où il s'est arrêté ; affiche un rapport JSON.",
        "Imports OpenSolarMap images and historical answers as a project (one item per image, answers as AnswerSubmitted events); resumable; prints a JSON report.");

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var imagesPath = args.RequiredOption("images");
        var contributionsPath = args.RequiredOption("contributions");
        var buildingsPath = args.Option("buildings");
        var title = args.Option("project-title") ?? DefaultTitle;
        var email = args.Option("owner-email") ?? "opensolarmap@import.local";
        var connection = args.Option("connection");
        var schema = args.Option("schema");
        var storage = args.Option("storage");
        args.EnsureAllRead();
        if (!File.Exists(contributionsPath))
        {
            throw new CliException(Texts.T($"Fichier de contributions introuvable : « {Path.GetFullPath(contributionsPath)} ».", $"Contributions file not found: '{Path.GetFullPath(contributionsPath)}'."));
        }

        if (buildingsPath is not null && !File.Exists(buildingsPath))
        {
            throw new CliException(Texts.T($"Fichier des bâtiments introuvable : « {Path.GetFullPath(buildingsPath)} ».", $"Buildings file not found: '{Path.GetFullPath(buildingsPath)}'."));
        }

        var settings = PlatformServices.Settings(connection, schema, storage);

        var report = await Import(settings, imagesPath, contributionsPath, buildingsPath, title, email, cancellationToken);
        Console.WriteLine(ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return 0;
    }

    /// <summary>The whole import, with configuration given as key/values (used by the tests too): the application's <see cref="ImportOpenSolarMap"/> use case with a progress bar.</summary>
    public static async Task<ImportReport> Import(
        IReadOnlyDictionary<string, string?> settings,
        string imagesPath,
        string contributionsPath,
        string? buildingsPath,
        string title,
        string ownerEmail,
        CancellationToken cancellationToken)
    {
        // The files are checked before the owner or the project is created: a wrong path, an unreadable
        // zip, a wrong header or a contributions file without any usable answer changes nothing.
        if (!Directory.Exists(imagesPath) && !File.Exists(imagesPath))
        {
            throw new CliException(ImportManifestCommand.ImagesNotFound(imagesPath));
        }

        try
        {
            OpenSolarMapImporter.CheckImages(imagesPath);
            OpenSolarMapFiles.CheckContributions(contributionsPath);
            if (buildingsPath is not null)
            {
                OpenSolarMapFiles.CheckBuildingsHeader(buildingsPath);
            }
        }
        catch (RuleViolationException ex)
        {
            throw new CliException(ex.Message);
        }

        await using var provider = await PlatformServices.StartAsync(settings);
        await using var scope = provider.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var session = scope.ServiceProvider.GetRequiredService<IDocumentSession>();
        var normalized = Owner.NormalizeEmail(ownerEmail);
        var owner = await session.Query<Owner>().FirstOrDefaultAsync(o => o.Email == normalized, cancellationToken);
        if (owner is null)
        {
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
            owner = await mediator.Send(new RegisterOwner(ownerEmail, "OpenSolarMap import", password), cancellationToken);
            Console.Error.WriteLine(Texts.T(
                $"porteur {normalized} créé avec le mot de passe {password} (affiché une seule fois)",
                $"created owner {normalized} with password {password} (shown once)"));
        }

        ProgressBar? bar = null;
        try
        {
            var last = 0;
            return await mediator.Send(
                new ImportOpenSolarMap(owner.Id, title, imagesPath, contributionsPath, buildingsPath,
                    Progress: (done, total) =>
                    {
                        bar ??= new ProgressBar("import", total);
                        bar.Advance(done - last);
                        last = done;
                        if (done == total)
                        {
                            bar.Dispose();
                            bar = null;
                        }

                        return Task.CompletedTask;
                    },
                    Log: Console.Error.WriteLine),
                cancellationToken);
        }
        catch (Exception ex) when (ex is FluentValidation.ValidationException or RuleViolationException or NotFoundException)
        {
            throw new CliException(ex is FluentValidation.ValidationException v ? string.Join(" ", v.Errors.Select(e => e.ErrorMessage)) : ex.Message);
        }
        finally
        {
            bar?.Dispose();
        }
    }

    public static JsonObject ToJson(ImportReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["project_id"] = report.ProjectId.ToString(),
            ["project_created"] = report.ProjectCreated,
            ["images_found"] = report.ImagesFound,
            ["items_imported"] = report.ItemsImported,
            ["items_already_present"] = report.ItemsAlreadyPresent,
            ["answers_imported"] = report.AnswersImported,
            ["answers_already_present"] = report.AnswersAlreadyPresent,
            ["items_retired_by_refit"] = report.ItemsRetired,
            ["refit_answers"] = report.RefitAnswers,
            ["refit_contributors"] = report.RefitContributors,
            ["contributors_created"] = report.ContributorsCreated,
            ["problems"] = new JsonObject
            {
                ["images_without_answers"] = report.ImagesWithoutAnswers,
                ["images_unreadable"] = report.ImagesUnreadable,
                ["images_without_footprint"] = report.ImagesWithoutFootprint,
                ["images_duplicate_content"] = report.ImagesDuplicateContent,
                ["answers_on_duplicate_images"] = report.AnswersOnDuplicateImages,
                ["answers_on_missing_images"] = report.AnswersOnMissingImages,
                ["answers_repeated_same_contributor"] = report.AnswersRepeated,
                ["rows_unusable"] = report.BadRows.Count,
                ["rows_unusable_by_reason"] = new JsonObject(report.BadRows
                    .GroupBy(b => System.Text.RegularExpressions.Regex.Replace(b.Reason, "'[^']*'", "'…'"))
                    .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count()))),
                ["examples"] = new JsonArray([.. report.BadRows.Take(10).Select(b => (JsonNode?)$"{b.File}:{b.Line}: {b.Reason}"), .. report.Examples.Take(10).Select(e => (JsonNode?)e)]),
            },
            ["seconds"] = Math.Round(report.Seconds, 1),
        };
    }
}
