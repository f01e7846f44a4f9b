namespace CoConstruisons.EndToEnd.Tests;

/// <summary>Finds the repository (the folder holding CoConstruisons.sln) and the built portal.</summary>
public static class RepoPaths
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CoConstruisons.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"CoConstruisons.sln not found above {AppContext.BaseDirectory}.");
    }

    /// <summary>src/Portal/dist, or a failure that says how to build it.</summary>
    public static string PortalDist()
    {
        var dist = Path.Combine(Root(), "src", "Portal", "dist");
        if (!File.Exists(Path.Combine(dist, "index.html")))
        {
            throw new InvalidOperationException(
                $"The portal is not built ({dist}/index.html is missing): run `make build` first " +
                "(it runs `npm --prefix src/Portal ci` and `npm --prefix src/Portal run build`).");
        }

        return dist;
    }
}
