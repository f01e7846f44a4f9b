using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CoConstruisons.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using CoConstruisons.Application.Common;

namespace CoConstruisons.Cli.Bench;

/// <summary>
/// `bench serve`: starts the real Api (Release build, Kestrel, PostgreSQL) as a child process, runs N
/// concurrent gRPC contributors over HTTP/2 on loopback for a bounded time, then checks the store:
/// every acknowledged answer stored exactly once, no item answered beyond its maximum.
/// </summary>
public sealed class ServeBenchCommand : ICliCommand, IHasFlags
{
    public string Name => "bench serve";

    public string Usage => "bench serve [--contributors N] [--seconds S] [--items N] [--warmup S] [--separate-calls] [--smoke] [--connection CS] [--api-config Release|Debug]";

    public string Summary => Texts.T(
        "Teste la tenue en charge du service des tâches (SubmitAnswer avec la tâche suivante, ou NextTask + SubmitAnswer) et affiche un objet JSON.",
        "Load-tests the task service (SubmitAnswer with the next task, or NextTask + SubmitAnswer) and prints one JSON object.");

    public IReadOnlyList<string> Flags => ["smoke", "separate-calls"];

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var smoke = args.Flag("smoke");
        // As channels call it: one SubmitAnswer per answer that also returns the next task; with
        // --separate-calls, NextTask then SubmitAnswer (two calls per answer).
        var separate = args.Flag("separate-calls");
        // 40 contributors: about the most a 2-core machine serves within the latency target (in a
        // closed loop a call's latency is contributors ÷ throughput; docs/assignment.md, "Stop 16").
        var contributors = args.IntOption("contributors", smoke ? 8 : 40);
        var seconds = args.IntOption("seconds", smoke ? 3 : 20);
        // 72,000 images (3 answers each at most, one in twenty gold): a 50-second run at 2,000
        // answers/s (warm-up included) leaves most of them open, so the measured part never serves
        // a nearly finished project (24,000 until stop 19, when this machine served 2,000 answers/s and
        // ran out of regular images; `open_share_at_end` says how much was left).
        var items = args.IntOption("items", smoke ? 200 : 72000);
        // 30 s: under this load the Api's tiered JIT keeps recompiling hot methods for about 25 s
        // (dotnet-counters: 2,000-3,800 methods and 2.4-3.8 s of JIT time per 5 s, then under 300
        // methods); the measured part is the server's steady state (docs/assignment.md, "Stop 16").
        var warmup = args.IntOption("warmup", smoke ? 0 : 30);
        var apiConfig = args.Option("api-config") ?? "Release";
        var connection = args.Option("connection") ?? "Host=127.0.0.1;Port=5432;Database=coconstruisons_test;Username=coconstruisons;Password=coconstruisons";
        args.EnsureAllRead();

        var root = RepoPaths.Root() ?? throw new CliException(Texts.T(
            "Lancez ceci depuis le dépôt de Co-construisons (CoConstruisons.sln introuvable).",
            "Run this from the Co-construisons repository (CoConstruisons.sln not found)."));
        var dll = Path.Combine(root, "src", "Api", "bin", apiConfig, "net10.0", "CoConstruisons.Api.dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine(Texts.T($"[bench] compilation de l'Api ({apiConfig})…", $"[bench] building the Api ({apiConfig})…"));
            await Run("dotnet", $"build \"{Path.Combine(root, "src", "Api")}\" -c {apiConfig} -nologo -v q", cancellationToken);
        }

        var schema = "bench_" + Guid.NewGuid().ToString("N")[..10];
        var storage = Path.Combine(Path.GetTempPath(), schema);
        var (webPort, grpcPort) = (FreePort(), FreePort());
        const string key = "bench-service-key";
        var api = StartApi(dll, root, new Dictionary<string, string>
        {
            // Production, as deployed (no developer exception page, keys given, not generated).
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Security__TokenKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Security__PseudonymKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort}",
            ["Kestrel__Endpoints__Web__Protocols"] = "Http1",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            ["PublicBaseUrl"] = $"http://127.0.0.1:{webPort}",
            ["ConnectionStrings__Marten"] = connection,
            ["Marten__Schema"] = schema,
            ["Storage__Path"] = storage,
            ["Demo__Seed"] = "true",
            ["Demo__ImageCount"] = items.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Uploads__MaxFiles"] = "100000",
            ["Security__ServiceKeys__bench"] = key,
            ["RateLimits__ContributorPerSecond"] = "100000",
            ["RateLimits__ContributorBurst"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            });
            var projectId = await WaitForDemo(channel, webPort, cancellationToken);
            var warm = new LoadResult(0, 0, TimeSpan.Zero, [], []);
            if (warmup > 0)
            {
                // Not measured: the Api's JIT (tiered recompilation) and connection pools settle; its answers are still checked in the store.
                Console.Error.WriteLine(Texts.T($"[bench] mise en route pendant {warmup} s", $"[bench] warming up for {warmup} s"));
                warm = await Load(channel, projectId, key, contributors, TimeSpan.FromSeconds(warmup), separate, cancellationToken);
            }

            Console.Error.WriteLine(Texts.T(
                $"[bench] Api prête ; {contributors} contributeurs pendant {seconds} s sur {items} éléments",
                $"[bench] Api ready; {contributors} contributors for {seconds} s on {items} items"));
            api.Refresh();
            var (apiCpu0, benchCpu0, postgresCpu0) = (api.TotalProcessorTime, Process.GetCurrentProcess().TotalProcessorTime, PostgresCpuMs());
            var result = await Load(channel, projectId, key, contributors, TimeSpan.FromSeconds(seconds), separate, cancellationToken);
            api.Refresh();
            var apiCpu = (api.TotalProcessorTime - apiCpu0).TotalMilliseconds;
            var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpu0).TotalMilliseconds;
            var postgresCpu = PostgresCpuMs() - postgresCpu0;
            var (stored, over, goldShare, openShare) = await CheckStore(connection, schema, cancellationToken);
            if (openShare < 0.5 && !smoke)
            {
                Console.Error.WriteLine(Texts.T(
                    $"[bench] seules {openShare:P0} des images ordinaires étaient encore ouvertes à la fin : la partie mesurée a servi un projet presque terminé ; relancez avec un --items plus grand.",
                    $"[bench] only {openShare:P0} of the regular images were still open at the end: the measured part served a nearly finished project; run it again with more --items."));
            }

            var json = new Dictionary<string, object>
            {
                ["answers_per_second"] = Math.Round(result.Acknowledged / result.Elapsed.TotalSeconds, 1),
                ["p50_ms_next"] = Percentile(result.NextMs, 0.50),
                ["p99_ms_next"] = Percentile(result.NextMs, 0.99),
                ["p50_ms_submit"] = Percentile(result.SubmitMs, 0.50),
                ["p99_ms_submit"] = Percentile(result.SubmitMs, 0.99),
                ["acknowledged"] = result.Acknowledged,
                ["warmup_acknowledged"] = warm.Acknowledged,
                // Every answer acknowledged (warm-up included) must be stored exactly once.
                ["stored"] = stored - warm.Acknowledged,
                ["over_collected"] = over,
                ["errors"] = result.Errors,
                ["warmup_errors"] = warm.Errors,
                // Contributors who ran out of images before the end (warm-up included): the project was
                // too small for the run, and the end of it measured a nearly finished project.
                ["contributors_out_of_tasks"] = result.OutOfTasks + warm.OutOfTasks,
                // Answers on gold images (no reservation) among all stored answers, warm-up included.
                ["gold_answer_share"] = goldShare,
                // Regular (non-gold) images still open at the end: under one half, the run served a nearly finished project.
                ["open_share_at_end"] = openShare,
                // CPU spent per acknowledged answer (less sensitive to a shared machine's load than throughput).
                ["api_cpu_ms_per_answer"] = result.Acknowledged == 0 ? 0 : Math.Round(apiCpu / result.Acknowledged, 2),
                ["client_cpu_ms_per_answer"] = result.Acknowledged == 0 ? 0 : Math.Round(benchCpu / result.Acknowledged, 2),
                // PostgreSQL's processes on this machine (all of them: the bench's database is usually alone there); -1 without /proc.
                ["postgres_cpu_ms_per_answer"] = postgresCpu0 < 0 || result.Acknowledged == 0 ? -1 : Math.Round(postgresCpu / result.Acknowledged, 2),
                ["load_average_1m"] = LoadAverage(),
                ["contributors"] = contributors,
                // "submit_with_next": p*_ms_next time the first NextTask of each contributor and every
                // SubmitAnswer that brought the next task back (the time until the next task is in hand).
                ["calls"] = separate ? "next_then_submit" : "submit_with_next",
                ["seconds"] = Math.Round(result.Elapsed.TotalSeconds, 2),
                ["warmup_seconds"] = warmup,
                ["items"] = items,
                ["smoke"] = smoke,
                ["api_build"] = apiConfig,
            };
            Console.WriteLine(JsonSerializer.Serialize(json));
            return stored == result.Acknowledged + warm.Acknowledged && over == 0 ? 0 : 1;
        }
        finally
        {
            if (!api.HasExited)
            {
                api.Kill(entireProcessTree: true);
            }

            await api.WaitForExitAsync(CancellationToken.None);
            await DropSchema(connection, schema);
            if (Directory.Exists(storage))
            {
                Directory.Delete(storage, recursive: true);
            }
        }
    }

    /// <summary>Processor time (ms) of every process named "postgres" (Linux /proc; -1 elsewhere).</summary>
    private static double PostgresCpuMs()
    {
        if (!Directory.Exists("/proc/self"))
        {
            return -1;
        }

        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out _) || File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres")
                {
                    continue;
                }

                // Fields after the command name (which may hold spaces): utime and stime are the 14th and 15th of the line.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return ticks * 10.0; // USER_HZ is 100 on Linux
    }

    /// <param name="OutOfTasks">Contributors who stopped before the end because no task was left for them.</param>
    private sealed record LoadResult(int Acknowledged, int Errors, TimeSpan Elapsed, List<double> NextMs, List<double> SubmitMs, int OutOfTasks = 0);

    private static async Task<LoadResult> Load(
        GrpcChannel channel, Guid projectId, string key, int contributors, TimeSpan duration, bool separate, CancellationToken ct)
    {
        var client = new TaskService.TaskServiceClient(channel);
        var headers = new Metadata { { "x-api-key", key } };
        // Each simulated chat user's consent is recorded first, as a gateway does (the platform asks nothing without it).
        var campaigns = new CampaignService.CampaignServiceClient(channel);
        var people = Enumerable.Range(0, contributors)
            .Select(n => new ContributorIdentity { ChannelUser = new ChannelUser { Channel = "bench", UserId = $"user-{n}-{Guid.NewGuid():N}" } })
            .ToArray();
        foreach (var person in people)
        {
            await campaigns.RecordConsentAsync(
                new RecordConsentRequest { ProjectId = projectId.ToString(), Contributor = person, Accepted = true, ConsentVersion = "bench", SealedAddress = "bench" },
                headers, cancellationToken: ct);
        }

        var next = new List<double>[contributors];
        var submit = new List<double>[contributors];
        var acknowledged = 0;
        var errors = 0;
        var outOfTasks = 0;
        var watch = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + duration;
        await Task.WhenAll(Enumerable.Range(0, contributors).Select(async n =>
        {
            next[n] = [];
            submit[n] = [];
            var who = people[n];
            var random = new Random(n);
            LabellingTask? task = null;
            while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
            {
                try
                {
                    if (task is null)
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        task = (await client.NextTaskAsync(new NextTaskRequest { ProjectId = projectId.ToString(), Contributor = who }, headers, cancellationToken: ct)).Task;
                        next[n].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        if (task is null)
                        {
                            Interlocked.Increment(ref outOfTasks);
                            break;
                        }
                    }

                    var t1 = Stopwatch.GetTimestamp();
                    var answered = await client.SubmitAnswerAsync(new SubmitAnswerRequest
                    {
                        ProjectId = projectId.ToString(),
                        Contributor = who,
                        ReservationToken = task.ReservationToken,
                        Choice = task.Choices[random.Next(task.Choices.Count)].Key,
                        TimeTakenMs = random.Next(500, 5000),
                        IdempotencyKey = Guid.NewGuid().ToString("N"),
                        Next = !separate,
                    }, headers, cancellationToken: ct);
                    var ms = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
                    submit[n].Add(ms);
                    Interlocked.Increment(ref acknowledged);
                    task = null;
                    if (!separate)
                    {
                        next[n].Add(ms);
                        task = answered.Next?.Task;
                        if (task is null)
                        {
                            Interlocked.Increment(ref outOfTasks);
                            break;
                        }
                    }
                }
                catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
                {
                    task = null;
                    Interlocked.Increment(ref errors);
                    if (errors <= 5)
                    {
                        Console.Error.WriteLine($"[bench] {ex.StatusCode}: {ex.Status.Detail}");
                    }
                }
            }
        }));
        return new LoadResult(acknowledged, errors, watch.Elapsed, next.SelectMany(x => x).ToList(), submit.SelectMany(x => x).ToList(), outOfTasks);
    }

    private static async Task<(long Stored, long Over, double GoldShare, double OpenShare)> CheckStore(string connection, string schema, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync(ct);
        await using var stored = new NpgsqlCommand($"select count(*) from {schema}.mt_events where type = 'answer_submitted'", db);
        // Over-collected: a non-gold item with more evidence than its project's maximum.
        await using var over = new NpgsqlCommand(
            $"select count(*) from {schema}.mt_doc_itemprogress i join {schema}.mt_doc_project p on p.id = (i.data->>'ProjectId')::uuid " +
            "where not (i.data->>'IsGold')::boolean and (i.data->>'EvidenceCount')::int > (p.data->'Settings'->>'AnswersPerItem')::int", db);
        await using var gold = new NpgsqlCommand(
            $"select coalesce(avg(case when (i.data->>'IsGold')::boolean then 1.0 else 0.0 end), 0)::float8 from {schema}.mt_events e " +
            $"join {schema}.mt_doc_itemprogress i on i.id = e.stream_id where e.type = 'answer_submitted'", db);
        await using var open = new NpgsqlCommand(
            $"select coalesce(avg(case when not (data->>'Retired')::boolean then 1.0 else 0.0 end), 0)::float8 from {schema}.mt_doc_itemprogress " +
            "where not (data->>'IsGold')::boolean", db);
        return ((long)(await stored.ExecuteScalarAsync(ct))!, (long)(await over.ExecuteScalarAsync(ct))!,
            Math.Round((double)(await gold.ExecuteScalarAsync(ct))!, 3), Math.Round((double)(await open.ExecuteScalarAsync(ct))!, 3));
    }

    private static async Task<Guid> WaitForDemo(GrpcChannel channel, int webPort, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}") };
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync("/healthz", ct)).IsSuccessStatusCode)
                {
                    var auth = new AuthService.AuthServiceClient(channel);
                    var token = await auth.SignInAsync(new SignInRequest { Email = "demo@coconstruisons.fr", Password = "demo-demo" }, cancellationToken: ct);
                    var projects = await new ProjectService.ProjectServiceClient(channel).ListProjectsAsync(
                        new ListProjectsRequest(), new Metadata { { "authorization", "Bearer " + token.AccessToken } }, cancellationToken: ct);
                    return Guid.Parse(projects.Projects.Single().Id);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(500, ct);
        }

        throw new CliException(Texts.T("L'Api n'a pas démarré en 5 minutes.", "The Api did not start within 5 minutes."));
    }

    private static Process StartApi(string dll, string root, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"") { WorkingDirectory = root, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info) ?? throw new CliException(Texts.T("Impossible de démarrer l'Api.", "Could not start the Api."));
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("[api] " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task Run(string file, string arguments, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false }) ?? throw new CliException(Texts.T($"Impossible d'exécuter {file}.", $"Could not run {file}."));
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new CliException(Texts.T($"{file} {arguments} a échoué avec le code de sortie {process.ExitCode}.", $"{file} {arguments} failed with exit code {process.ExitCode}."));
        }
    }

    private static async Task DropSchema(string connection, string schema)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", db);
        await drop.ExecuteNonQueryAsync();
    }

    private static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        return Math.Round(values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)], 2);
    }

    /// <summary>The machine's 1-minute load average (Linux), to read throughput figures in context; -1 elsewhere.</summary>
    private static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
