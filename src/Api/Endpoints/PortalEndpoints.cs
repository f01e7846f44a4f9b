using Microsoft.Extensions.FileProviders;

namespace CoConstruisons.Api.Endpoints;

/// <summary>Serves the built portal (src/Portal/dist) from the same origin as the gRPC-web services.</summary>
public static class PortalEndpoints
{
    public static string? FindPortal(IConfiguration configuration)
    {
        var configured = configuration["Portal:Path"];
        if (!string.IsNullOrEmpty(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Portal", "dist");
            if (File.Exists(Path.Combine(candidate, "index.html")))
            {
                return candidate;
            }
        }

        return null;
    }

    public static void UsePortal(this WebApplication app)
    {
        var root = FindPortal(app.Configuration);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Content-Security-Policy"] =
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
            await next();
        });
        if (root is null)
        {
            app.MapGet("/", () => Results.Text(
                "Portal not built: run `make run` (or `npm --prefix src/Portal ci && npm --prefix src/Portal run build`).", "text/plain"));
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
    }
}
