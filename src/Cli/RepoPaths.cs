namespace CoConstruisons.Cli;

/// <summary>Finds the repository root (the folder holding CoConstruisons.sln) and the shared data beside it.</summary>
public static class RepoPaths
{
    public static string? Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CoConstruisons.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>../shared/data/&lt;name&gt; relative to the repository (or the current folder), or null when absent.</summary>
    public static string? SharedData(string name)
    {
        var candidates = new List<string> { Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "data", name) };
        if (Root() is { } root)
        {
            candidates.Insert(0, Path.Combine(root, "..", "shared", "data", name));
        }

        return candidates.Select(Path.GetFullPath).FirstOrDefault(Directory.Exists);
    }
}
