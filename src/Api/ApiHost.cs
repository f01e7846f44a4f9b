using System.Globalization;
using CoConstruisons.Api.Endpoints;
using CoConstruisons.Api.Infrastructure;
using CoConstruisons.Api.Services;
using CoConstruisons.Application.Demo;
using Mediator;
using Microsoft.AspNetCore.Localization;

namespace CoConstruisons.Api;

/// <summary>Composition root: gRPC (+ gRPC-web for the portal), uploads, images, the portal, demo seeding.</summary>
public static partial class ApiHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings ship beside the binary (appsettings.json), whatever folder the Api is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var services = builder.Services;
        services.AddApplication(builder.Configuration);
        services.AddInfrastructure(builder.Configuration, builder.Environment.IsDevelopment());
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<ExceptionMappingInterceptor>();
            // An import's files travel in one message (Imports:MaxGeoJsonBytes, Imports:MaxOpenSolarMapBytes, checked by the validators).
            var largest = Math.Max(
                builder.Configuration.GetValue("Imports:MaxGeoJsonBytes", 16L * 1024 * 1024),
                builder.Configuration.GetValue("Imports:MaxOpenSolarMapBytes", 512L * 1024 * 1024));
            o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, Math.Max(8L * 1024 * 1024, largest + (64 * 1024)));
        });
        services.AddSingleton<CallerContext>();
        if (builder.Configuration.GetValue("Imports:Worker", true))
        {
            services.AddHostedService<CoConstruisons.Infrastructure.Imports.TileImportWorker>();
        }

        services.AddSingleton<PublicUrls>();
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
            o.MultipartBodyLengthLimit = builder.Configuration.GetValue("Uploads:MaxRequestBytes", 1024L * 1024 * 1024));
        builder.WebHost.ConfigureKestrel(k =>
            k.Limits.MaxRequestBodySize = builder.Configuration.GetValue("Uploads:MaxRequestBytes", 1024L * 1024 * 1024));

        var app = builder.Build();
        var cultures = new[] { new CultureInfo("fr"), new CultureInfo("en") };
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("fr"),
            SupportedCultures = cultures,
            SupportedUICultures = cultures,
        });
        app.UsePortal();
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapGrpcService<AuthGrpcService>();
        app.MapGrpcService<ProjectGrpcService>();
        app.MapGrpcService<TaskGrpcService>();
        app.MapGrpcService<ContributorGrpcService>();
        app.MapGrpcService<CampaignGrpcService>();
        app.MapGrpcService<ExperimentGrpcService>();
        app.MapGrpcService<ImportGrpcService>();
        app.MapGrpcService<ModelGrpcService>();
        app.MapUploads();
        app.MapImages();
        app.MapModels();
        app.MapGet("/healthz", () => Results.Text("ok"));
        return app;
    }

    /// <summary>Seeds the demo owner and project when Demo:Seed is true, and prints how to reach them.</summary>
    public static async Task InitializeAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Demo:Seed", false))
        {
            return;
        }

        var email = app.Configuration["Demo:OwnerEmail"] ?? "demo@coconstruisons.fr";
        var password = app.Configuration["Demo:OwnerPassword"] ?? "demo-demo";
        await using var scope = app.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var seeded = await mediator.Send(new SeedDemo(email, password, app.Configuration.GetValue("Demo:ImageCount", 200)));
        var baseUrl = scope.ServiceProvider.GetRequiredService<PublicUrls>().BaseUrl;
        var dataFolder = Path.GetFullPath(app.Configuration["Storage:Path"] ?? ".data");
        Directory.CreateDirectory(dataFolder);
        await File.WriteAllTextAsync(Path.Combine(dataFolder, "demo-project-id"), seeded.ProjectId.ToString());
        Console.WriteLine();
        Console.WriteLine("  Co-construisons — démo prête / demo ready");
        Console.WriteLine($"  Portail (porteurs de projet) : {baseUrl}/");
        Console.WriteLine($"  Identifiants démo           : {email} / {password}");
        Console.WriteLine($"  Page publique d'étiquetage  : {baseUrl}/#/label/{seeded.ProjectId}");
        Console.WriteLine($"  gRPC (HTTP/2, passerelles)  : {app.Configuration["Kestrel:Endpoints:Grpc:Url"] ?? "(désactivé)"}");
        Console.WriteLine(seeded.Created ? "  Projet démo créé." : "  Projet démo existant conservé.");
        if (seeded.ImagesRestored > 0)
        {
            Console.WriteLine(seeded.ImagesRestored == 1
                ? $"  1 image de la démo remise dans {dataFolder} (absente de ce dossier)."
                : $"  {seeded.ImagesRestored} images de la démo remises dans {dataFolder} (absentes de ce dossier).");
        }
        Console.WriteLine();
    }
}
