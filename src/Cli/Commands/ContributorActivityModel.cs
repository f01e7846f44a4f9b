using System.Globalization;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Commands;

/// <summary>
/// One real contributor's rhythm: the sizes of their sessions (answers per visit) and the gaps
/// between the starts of consecutive sessions (hours). A session ends after 30 minutes without an answer.
/// </summary>
public sealed record ActivityProfile(int[] SessionSizes, double[] GapsHours)
{
    public int Sessions => SessionSizes.Length;

    public int Answers => SessionSizes.Sum();
}

/// <summary>A synthetic contributor's first eight days after their first answer.</summary>
public readonly record struct SimulatedContributor(int Answers7d, bool ActiveD1, bool ActiveD7);

/// <summary>
/// An empirical model of contributor activity: profiles read from a real answer stream
/// (OpenSolarMap: building_id,choice,contributor,created_at) and a resampler that draws synthetic
/// contributors from them. A synthetic contributor borrows a real profile (so heavy and light
/// contributors keep their real proportions), draws each visit's size from that profile's sessions,
/// comes back after each visit with the profile's empirical return probability (K−1)/K (K = the
/// profile's number of sessions, so the expected number of visits is K) after a gap drawn from the
/// profile's gaps, and is followed for 8 days.
/// </summary>
public sealed class ContributorActivityModel(IReadOnlyList<ActivityProfile> profiles)
{
    public static readonly TimeSpan SessionBreak = TimeSpan.FromMinutes(30);

    public IReadOnlyList<ActivityProfile> Profiles { get; } = profiles.Count > 0 ? profiles
        : throw new ArgumentException("The activity model needs at least one contributor profile.", nameof(profiles));

    /// <summary>Reads a contributions CSV (header with "contributor" and "created_at" columns).</summary>
    public static ContributorActivityModel FromCsv(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new FormatException(Texts.T($"{path} est vide.", $"{path} is empty."));
        var columns = header.Split(',');
        var contributorColumn = Array.IndexOf(columns, "contributor");
        var timeColumn = Array.IndexOf(columns, "created_at");
        if (contributorColumn < 0 || timeColumn < 0)
        {
            throw new FormatException(Texts.T(
                $"{path} : colonnes « contributor » et « created_at » attendues, trouvé « {header} ».",
                $"{path}: expected columns 'contributor' and 'created_at', found '{header}'."));
        }

        var times = new Dictionary<string, List<DateTime>>(StringComparer.Ordinal);
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length <= Math.Max(contributorColumn, timeColumn)
                || !DateTime.TryParse(fields[timeColumn], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                throw new FormatException(Texts.T(
                    $"{path}:{lineNumber} : impossible de lire un contributeur et un horodatage dans « {line} ».",
                    $"{path}:{lineNumber}: cannot read a contributor and a timestamp from '{line}'."));
            }

            if (!times.TryGetValue(fields[contributorColumn], out var list))
            {
                times[fields[contributorColumn]] = list = [];
            }

            list.Add(at);
        }

        return new ContributorActivityModel(times.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => ProfileOf(kv.Value)).ToList());
    }

    /// <summary>Cuts one contributor's answer times into sessions.</summary>
    public static ActivityProfile ProfileOf(List<DateTime> times)
    {
        ArgumentNullException.ThrowIfNull(times);
        times.Sort();
        var sizes = new List<int>();
        var starts = new List<DateTime>();
        for (var i = 0; i < times.Count; i++)
        {
            if (i == 0 || times[i] - times[i - 1] > SessionBreak)
            {
                sizes.Add(0);
                starts.Add(times[i]);
            }

            sizes[^1]++;
        }

        var gaps = new double[starts.Count - 1];
        for (var i = 1; i < starts.Count; i++)
        {
            gaps[i - 1] = (starts[i] - starts[i - 1]).TotalHours;
        }

        return new ActivityProfile([.. sizes], gaps);
    }

    /// <summary>
    /// A small generated population for smoke runs: 80 % light contributors (1–2 visits of a few
    /// answers), 20 % heavy ones (many visits, log-normal visit sizes).
    /// </summary>
    public static ContributorActivityModel Generated(int profiles, int seed)
    {
        var rng = new Random(seed);
        var list = new List<ActivityProfile>(profiles);
        for (var p = 0; p < profiles; p++)
        {
            var heavy = rng.NextDouble() < 0.2;
            var sessions = heavy ? 2 + rng.Next(30) : 1 + rng.Next(2);
            var sizes = new int[sessions];
            for (var s = 0; s < sessions; s++)
            {
                var logNormal = Math.Exp((heavy ? 2.5 : 1.0) + (heavy ? 1.0 : 0.6) * Gaussian(rng));
                sizes[s] = Math.Max(1, (int)logNormal);
            }

            var gaps = new double[sessions - 1];
            for (var g = 0; g < gaps.Length; g++)
            {
                gaps[g] = Math.Exp(Math.Log(24) + 1.2 * Gaussian(rng));
            }

            list.Add(new ActivityProfile(sizes, gaps));
        }

        return new ContributorActivityModel(list);
    }

    /// <summary>Draws one synthetic contributor (see the class summary).</summary>
    public SimulatedContributor Draw(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var profile = Profiles[rng.Next(Profiles.Count)];
        var sizes = profile.SessionSizes;
        var gaps = profile.GapsHours;
        var answers = sizes[rng.Next(sizes.Length)];
        bool d1 = false, d7 = false;
        var returnProbability = (sizes.Length - 1) / (double)sizes.Length;
        var t = 0.0;
        while (gaps.Length > 0 && rng.NextDouble() < returnProbability)
        {
            t += gaps[rng.Next(gaps.Length)];
            if (t >= 8 * 24)
            {
                break;
            }

            if (t < 7 * 24)
            {
                answers += sizes[rng.Next(sizes.Length)];
            }

            d1 |= t is >= 24 and < 48;
            d7 |= t >= 7 * 24;
        }

        return new SimulatedContributor(answers, d1, d7);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
