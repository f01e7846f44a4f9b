using CoConstruisons.Domain.Consensus;

namespace CoConstruisons.Domain.Assignment;

/// <summary>One historical answer, as the replay sees it (the stream must be in time order).</summary>
public sealed record ReplayAnswer(string Item, string Worker, string Choice);

/// <summary>How the replay decides an item's label and confidence after each answer.</summary>
public static class ReplayMethods
{
    /// <summary>
    /// What the platform does today: <see cref="RetirementPolicy.EqualSkillConfidence"/> (everybody
    /// right with the prior accuracy, errors spread evenly).
    /// </summary>
    public const string EqualSkill = "equal-skill";

    /// <summary>
    /// One accuracy per contributor learned online, Beta prior: when an item retires, each of its
    /// answers is compared with the label the item's <i>other</i> answers point to (never with a
    /// label the answer helped decide alone); agreements and disagreements update that
    /// contributor's Beta counts. Cheap and incremental (no refit).
    /// </summary>
    public const string OnlineOneCoin = "online-one-coin";

    /// <summary>The consensus engine's methods (<see cref="ConsensusMethods"/>) refitted periodically on the answers spent so far.</summary>
    public static IReadOnlyList<string> All { get; } = [EqualSkill, OnlineOneCoin, .. ConsensusMethods.All];

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

/// <summary>Settings of a replay. <see cref="Choices"/> are the answer keys that are evidence (anything else is refused).</summary>
public sealed record ReplayOptions
{
    public required IReadOnlyList<string> Choices { get; init; }

    public RetirementPolicy Retirement { get; init; } = new(1, 10, 0.95);

    public string Method { get; init; } = ReplayMethods.OnlineOneCoin;

    /// <summary>What a contributor is believed to be before their answers are checked (Beta / Dirichlet pseudo-answers).</summary>
    public SkillPrior Prior { get; init; } = new(0.8, 5);

    /// <summary>
    /// For the consensus engine's methods: an item's answers enter the skill fit only once the item
    /// has at least this many spent answers (2: an answer nobody else gave an opinion on teaches
    /// nothing about its author; 1: every spent answer, as before).
    /// </summary>
    public int SkillMinAnswers { get; init; } = CheckedAnswers.DefaultMinAnswers;

    /// <summary>For the consensus engine's methods: refit every this many spent answers.</summary>
    public int RefitEvery { get; init; } = 2000;

    /// <summary>Record a point of the curve every this many spent answers.</summary>
    public int CurveEvery { get; init; } = 500;

    /// <summary>
    /// Optional evidence about items from outside the crowd (e.g. an image classifier): per item, one
    /// positive weight per choice (in <see cref="Choices"/> order) that multiplies into the item's
    /// belief before its answers, i.e. a likelihood: the belief becomes class prior × weight^<see
    /// cref="ItemPriorExponent"/> × answers. Only ratios matter (a vector may be unnormalised), so
    /// a uniform vector changes nothing. Items without an entry start as before. The weights enter
    /// an item's label and confidence only, never the learning of contributors' skills (which stays
    /// on the answers alone).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>>? ItemPriors { get; init; }

    /// <summary>
    /// Tempering exponent applied to every <see cref="ItemPriors"/> vector (1: as given, which is
    /// Bayes' rule for a calibrated likelihood; 0: ignored; between: trusted less). Chosen by the
    /// caller, not fitted here.
    /// </summary>
    public double ItemPriorExponent { get; init; } = 1.0;
}

/// <summary>An item the replay retired: its label, the confidence at retirement, the answers it took, and whether it reached the target.</summary>
public sealed record RetiredItem(string Item, string Label, double Confidence, int Evidence, bool Confident);

/// <summary>(answers spent so far, confident labels so far).</summary>
public readonly record struct CurvePoint(long Spent, long Confident);

/// <summary>The accounting of a replay.</summary>
public sealed class ReplayResult
{
    /// <summary>Answers the policy still needed when they arrived (their item was open).</summary>
    public long Spent { get; internal set; }

    /// <summary>Answers on items already retired: that contributor would have been sent elsewhere.</summary>
    public long Saved { get; internal set; }

    /// <summary>A second answer by the same contributor on the same item: the platform never asks twice.</summary>
    public long Repeats { get; internal set; }

    /// <summary>Answers whose choice is not one of <see cref="ReplayOptions.Choices"/> (not evidence, never counted as spent).</summary>
    public long Refused { get; internal set; }

    public Dictionary<string, RetiredItem> Retired { get; } = new(StringComparer.Ordinal);

    /// <summary>Per retired item, the choices of the answers that arrived after it retired (the saved ones).</summary>
    public Dictionary<string, List<string>> LeftOver { get; } = new(StringComparer.Ordinal);

    public List<CurvePoint> Curve { get; } = [];

    public long Confident => Retired.Values.LongCount(r => r.Confident);

    public int Refits { get; internal set; }
}

/// <summary>
/// Replays a real answer stream, in time order, through the platform's retirement policy: an
/// answer is <i>spent</i> when its item was still open (the policy needed it), <i>saved</i> when
/// its item had already retired (the platform would have sent that contributor elsewhere). After
/// each spent answer the item's confidence is recomputed with the chosen method and
/// <see cref="RetirementPolicy.ShouldRetire"/> decides. Pure and deterministic.
/// </summary>
public static class AnswerReplay
{
    public static ReplayResult Run(IEnumerable<ReplayAnswer> stream, ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        if (!ReplayMethods.IsKnown(options.Method))
        {
            throw new ArgumentException($"Unknown method '{options.Method}'; known: {string.Join(", ", ReplayMethods.All)}.", nameof(options));
        }

        if (options.Choices.Count < 2 || options.Choices.Distinct(StringComparer.Ordinal).Count() != options.Choices.Count)
        {
            throw new ArgumentException("A replay needs at least two distinct choices.", nameof(options));
        }

        options.Prior.Validate(options.Choices.Count);
        if (options.RefitEvery < 1 || options.CurveEvery < 1 || options.SkillMinAnswers < 1)
        {
            throw new ArgumentException("Refit and curve intervals and the skill minimum must be at least 1.", nameof(options));
        }

        var scorer = Scorer.For(options, LogItemPriors(options));
        var result = new ReplayResult();
        var open = new Dictionary<string, List<(string Worker, int Choice)>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < options.Choices.Count; c++)
        {
            index[options.Choices[c]] = c;
        }

        var confident = 0L;
        result.Curve.Add(new CurvePoint(0, 0));
        foreach (var answer in stream)
        {
            if (!index.TryGetValue(answer.Choice, out var choice))
            {
                result.Refused++;
                continue;
            }

            if (!seen.Add((answer.Item, answer.Worker)))
            {
                result.Repeats++;
                continue;
            }

            if (result.Retired.ContainsKey(answer.Item))
            {
                result.Saved++;
                if (!result.LeftOver.TryGetValue(answer.Item, out var left))
                {
                    result.LeftOver[answer.Item] = left = [];
                }

                left.Add(answer.Choice);
                continue;
            }

            result.Spent++;
            if (!open.TryGetValue(answer.Item, out var answers))
            {
                open[answer.Item] = answers = [];
            }

            answers.Add((answer.Worker, choice));
            scorer.Spent(answer.Item, answer.Worker, choice);
            var (best, confidence) = scorer.Decide(answer.Item, answers);
            if (options.Retirement.ShouldRetire(answers.Count, confidence))
            {
                var isConfident = answers.Count >= options.Retirement.MinAnswers && confidence >= options.Retirement.ConfidenceTarget;
                result.Retired[answer.Item] = new RetiredItem(answer.Item, options.Choices[best], confidence, answers.Count, isConfident);
                confident += isConfident ? 1 : 0;
                scorer.Retired(answers);
                open.Remove(answer.Item);
            }

            if (result.Spent % options.RefitEvery == 0 && scorer.Refit(open))
            {
                result.Refits++;
            }

            if (result.Spent % options.CurveEvery == 0)
            {
                result.Curve.Add(new CurvePoint(result.Spent, confident));
            }
        }

        if (result.Curve[^1].Spent != result.Spent)
        {
            result.Curve.Add(new CurvePoint(result.Spent, confident));
        }

        return result;
    }

    /// <summary>Turns an item's answers into (best choice, confidence), learning skills as items retire.</summary>
    private abstract class Scorer
    {
        /// <summary>Per item, exponent × log(weight) of its prior; empty when there is none.</summary>
        protected Dictionary<string, double[]> LogPriors { get; private set; } = new(StringComparer.Ordinal);

        public static Scorer For(ReplayOptions o, Dictionary<string, double[]> logPriors)
        {
            Scorer scorer = o.Method switch
            {
                ReplayMethods.EqualSkill => new EqualSkillScorer(o),
                ReplayMethods.OnlineOneCoin => new OnlineOneCoinScorer(o),
                _ => new EngineScorer(o),
            };
            scorer.LogPriors = logPriors;
            return scorer;
        }

        public virtual void Spent(string item, string worker, int choice)
        {
        }

        public abstract (int Best, double Confidence) Decide(string item, List<(string Worker, int Choice)> answers);

        /// <summary>Equal skills (everyone right with the prior accuracy) on top of an item's prior: counts × log-odds + log prior, normalised.</summary>
        protected static (int Best, double Confidence) EqualSkillWithPrior(ReplayOptions o, List<(string Worker, int Choice)> answers, double[] logPrior)
        {
            var k = o.Choices.Count;
            var logRatio = Math.Log(o.Prior.Accuracy / ((1 - o.Prior.Accuracy) / (k - 1)));
            Span<double> scores = stackalloc double[k];
            for (var c = 0; c < k; c++)
            {
                scores[c] = logPrior[c];
            }

            foreach (var (_, c) in answers)
            {
                scores[c] += logRatio;
            }

            return Normalise(scores);
        }

        public virtual void Retired(List<(string Worker, int Choice)> answers)
        {
        }

        public virtual bool Refit(Dictionary<string, List<(string Worker, int Choice)>> open) => false;
    }

    private sealed class EqualSkillScorer(ReplayOptions o) : Scorer
    {
        public override (int Best, double Confidence) Decide(string item, List<(string Worker, int Choice)> answers)
        {
            if (LogPriors.TryGetValue(item, out var logPrior))
            {
                return EqualSkillWithPrior(o, answers, logPrior);
            }

            var votes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (_, c) in answers)
            {
                votes[o.Choices[c]] = votes.GetValueOrDefault(o.Choices[c]) + 1;
            }

            var decision = MajorityVote.Decide(votes)!;
            var confidence = RetirementPolicy.EqualSkillConfidence(votes, o.Choices.Count, o.Prior.Accuracy);
            return (IndexOf(o.Choices, decision.Label), confidence);
        }
    }

    /// <summary>One-coin skills with a Beta prior, learned from retired items by leave-one-out agreement.</summary>
    private sealed class OnlineOneCoinScorer(ReplayOptions o) : Scorer
    {
        private readonly Dictionary<string, (double Right, double Wrong)> _counts = new(StringComparer.Ordinal);
        private readonly int _k = o.Choices.Count;

        /// <summary>Posterior mean accuracy, kept inside (1/K, 0.99] so no single answer is certain or evidence against itself.</summary>
        public double Accuracy(string worker)
        {
            var (right, wrong) = _counts.GetValueOrDefault(worker);
            var a = (o.Prior.Accuracy * o.Prior.Strength) + right;
            var b = ((1 - o.Prior.Accuracy) * o.Prior.Strength) + wrong;
            var mean = a + b > 0 ? a / (a + b) : o.Prior.Accuracy;
            return Math.Clamp(mean, (1.0 / _k) + 0.01, 0.99);
        }

        public override (int Best, double Confidence) Decide(string item, List<(string Worker, int Choice)> answers) =>
            Decide(answers, skip: -1, LogPriors.GetValueOrDefault(item));

        /// <summary>The skills' checks (<paramref name="skip"/> ≥ 0) use the answers alone, never the item's prior.</summary>
        private (int Best, double Confidence) Decide(List<(string Worker, int Choice)> answers, int skip, double[]? logPrior = null)
        {
            Span<double> scores = stackalloc double[_k];
            if (logPrior is not null)
            {
                for (var c = 0; c < _k; c++)
                {
                    scores[c] = logPrior[c];
                }
            }

            for (var j = 0; j < answers.Count; j++)
            {
                if (j == skip)
                {
                    continue;
                }

                var p = Accuracy(answers[j].Worker);
                scores[answers[j].Choice] += Math.Log(p * (_k - 1) / (1 - p));
            }

            return Normalise(scores);
        }

        public override void Retired(List<(string Worker, int Choice)> answers)
        {
            if (answers.Count < 2)
            {
                return; // nobody else saw it: no check of this contributor
            }

            var refs = new int[answers.Count];
            for (var j = 0; j < answers.Count; j++)
            {
                refs[j] = Decide(answers, skip: j).Best;
            }

            for (var j = 0; j < answers.Count; j++)
            {
                var (right, wrong) = _counts.GetValueOrDefault(answers[j].Worker);
                _counts[answers[j].Worker] = answers[j].Choice == refs[j] ? (right + 1, wrong) : (right, wrong + 1);
            }
        }
    }

    /// <summary>The consensus engine (Dawid–Skene family) refitted on every spent answer so far, every <see cref="ReplayOptions.RefitEvery"/> answers.</summary>
    private sealed class EngineScorer(ReplayOptions o) : Scorer
    {
        private readonly List<CrowdAnswer> _spent = [];
        private ConsensusFit? _fit;

        public override void Spent(string item, string worker, int choice) => _spent.Add(new CrowdAnswer(item, worker, o.Choices[choice]));

        public override (int Best, double Confidence) Decide(string item, List<(string Worker, int Choice)> answers)
        {
            var hasPrior = LogPriors.TryGetValue(item, out var logPrior);
            if (_fit is null && hasPrior)
            {
                return EqualSkillWithPrior(o, answers, logPrior!);
            }

            if (_fit is null)
            {
                // Before the first fit every contributor is the prior.
                var votes = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var (_, c) in answers)
                {
                    votes[o.Choices[c]] = votes.GetValueOrDefault(o.Choices[c]) + 1;
                }

                var decision = MajorityVote.Decide(votes)!;
                return (IndexOf(o.Choices, decision.Label), RetirementPolicy.EqualSkillConfidence(votes, o.Choices.Count, o.Prior.Accuracy));
            }

            var belief = hasPrior
                ? new ItemBelief(_fit.ClassPrior.Select((p, c) => Math.Log(p) + logPrior![c]))
                : _fit.NewBelief();
            foreach (var (worker, c) in answers)
            {
                _fit.Update(belief, worker, o.Choices[c]);
            }

            return belief.Best();
        }

        public override bool Refit(Dictionary<string, List<(string Worker, int Choice)>> open)
        {
            // Skills are learnt only from answers that other answers on the same item can check.
            var input = CheckedAnswers.Select(_spent, o.SkillMinAnswers);
            _fit = ConsensusModel.Fit(input, new ConsensusOptions { Method = o.Method, Labels = o.Choices, WorkerPrior = o.Prior });
            return true;
        }
    }

    /// <summary>
    /// The options' item priors as exponent × log(weight), checked (one finite positive weight per
    /// choice). Uniform vectors and a zero exponent carry no information and are left out.
    /// </summary>
    private static Dictionary<string, double[]> LogItemPriors(ReplayOptions options)
    {
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (!(options.ItemPriorExponent >= 0 && double.IsFinite(options.ItemPriorExponent)))
        {
            throw new ArgumentException("The item prior exponent must be a finite number ≥ 0.", nameof(options));
        }

        if (options.ItemPriors is null || options.ItemPriorExponent == 0)
        {
            return result;
        }

        var k = options.Choices.Count;
        foreach (var (item, weights) in options.ItemPriors)
        {
            if (weights.Count != k || weights.Any(w => !(w > 0 && double.IsFinite(w))))
            {
                throw new ArgumentException($"The prior of item '{item}' must hold {k} finite positive weights (one per choice).", nameof(options));
            }

            if (weights.All(w => w == weights[0]))
            {
                continue;
            }

            result[item] = [.. weights.Select(w => options.ItemPriorExponent * Math.Log(w))];
        }

        return result;
    }

    private static (int Best, double Confidence) Normalise(Span<double> scores)
    {
        var max = double.NegativeInfinity;
        var best = 0;
        for (var c = 0; c < scores.Length; c++)
        {
            if (scores[c] > max)
            {
                max = scores[c];
                best = c;
            }
        }

        var sum = 0.0;
        foreach (var s in scores)
        {
            sum += Math.Exp(s - max);
        }

        return (best, 1 / sum);
    }

    private static int IndexOf(IReadOnlyList<string> choices, string label)
    {
        for (var c = 0; c < choices.Count; c++)
        {
            if (choices[c] == label)
            {
                return c;
            }
        }

        return -1;
    }
}
