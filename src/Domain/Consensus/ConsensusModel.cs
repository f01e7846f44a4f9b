namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// Contributor-aware consensus of the Dawid–Skene family, fitted by MAP expectation–maximisation:
/// start from majority vote, then alternate estimating each contributor's confusion matrix (with a
/// prior, so few answers mean little trust) and each item's posterior over choices. Gold items keep
/// their known label throughout and so anchor the skills. EBCC and BWA compute the items' posteriors
/// their own way; their contributors' skills then come from one M-step on those posteriors. See
/// docs/consensus.md.
/// </summary>
public static class ConsensusModel
{
    public static ConsensusFit Fit(
        IReadOnlyList<CrowdAnswer> answers,
        ConsensusOptions options,
        IReadOnlyDictionary<string, string>? gold = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!ConsensusMethods.IsKnown(options.Method))
        {
            throw new ArgumentException(
                $"Unknown consensus method '{options.Method}'; known: {string.Join(", ", ConsensusMethods.All)}.", nameof(options));
        }

        if (!(options.ClassPriorStrength >= 0) || options.MaxIterations < 0 || !(options.Tolerance >= 0) ||
            !(options.PooledWeight >= 0 && options.PooledWeight <= 1))
        {
            throw new ArgumentException("Class prior strength and tolerance must be ≥ 0, iterations ≥ 0, pooled weight in [0, 1].", nameof(options));
        }

        var index = CrowdIndex.Build(answers, options, gold);
        return options.Method switch
        {
            ConsensusMethods.Ebcc => FromPosteriors(index, options, Ebcc.Posteriors(index, new Ebcc.Settings())),
            ConsensusMethods.Bwa => FromPosteriors(index, options, Bwa.Posteriors(index, new Bwa.Settings())),
            _ => Run(index, options),
        };
    }

    private static ConsensusFit Run(CrowdIndex index, ConsensusOptions options)
    {
        var em = new Em(index, options);
        var iterations = em.Run();
        return em.Result(iterations, options.Method);
    }

    /// <summary>
    /// A fit whose item posteriors come from another inference (<paramref name="posteriors"/>, items × classes):
    /// the contributors' skills, used by incremental updates, are one <see cref="ConsensusMethods.ShrunkDawidSkene"/>
    /// M-step on those posteriors.
    /// </summary>
    private static ConsensusFit FromPosteriors(CrowdIndex index, ConsensusOptions options, double[] posteriors)
    {
        var em = new Em(index, options with { Method = ConsensusMethods.ShrunkDawidSkene });
        em.SkillsFrom(posteriors);
        return em.Result(0, options.Method);
    }

    private sealed class Em(CrowdIndex x, ConsensusOptions options)
    {
        private readonly int _k = x.Classes;
        private readonly int _n = x.Items.Length;
        private readonly int _w = x.Workers.Length;
        private readonly double[] _t = new double[x.Items.Length * x.Classes];
        private readonly double[] _classPrior = new double[x.Classes];
        private readonly double[] _confusion = new double[x.Workers.Length * x.Classes * x.Classes];
        private readonly double[] _logConfusion = new double[x.Workers.Length * x.Classes * x.Classes];
        private readonly double[] _pooled = new double[x.Classes * x.Classes];

        public void SkillsFrom(double[] posteriors)
        {
            posteriors.CopyTo(_t, 0);
            MStep();
        }

        public int Run()
        {
            InitialiseFromVotes();
            if (options.Method == ConsensusMethods.MajorityVote)
            {
                Array.Fill(_classPrior, 1.0 / _k);
                for (var w = 0; w < _w; w++)
                {
                    SetShape(_confusion.AsSpan(w * _k * _k, _k * _k), options.WorkerPrior.Accuracy);
                }

                Logs();
                EStep();
                return 0;
            }

            var iterations = 0;
            while (iterations < options.MaxIterations)
            {
                iterations++;
                MStep();
                if (EStep() <= options.Tolerance)
                {
                    break;
                }
            }

            return iterations;
        }

        private void InitialiseFromVotes()
        {
            // With answered gold items, the first skills are estimated from gold alone (the others start
            // empty): the anchor decides which way EM goes, even when most of the crowd is wrong.
            var anchored = options.Method != ConsensusMethods.MajorityVote &&
                           Enumerable.Range(0, _n).Any(i => x.Gold[i] >= 0 && x.ItemStart[i + 1] > x.ItemStart[i]);
            for (var i = 0; i < _n; i++)
            {
                var row = _t.AsSpan(i * _k, _k);
                var start = x.ItemStart[i];
                var end = x.ItemStart[i + 1];
                if (x.Gold[i] >= 0)
                {
                    row[x.Gold[i]] = 1;
                    continue;
                }

                if (end == start)
                {
                    row.Fill(1.0 / _k);
                    continue;
                }

                if (anchored)
                {
                    continue;
                }

                for (var a = start; a < end; a++)
                {
                    row[x.AnswerLabel[a]] += 1.0 / (end - start);
                }
            }
        }

        private void MStep()
        {
            // Class frequencies (items with evidence or gold).
            var counted = 0.0;
            Array.Clear(_classPrior);
            for (var i = 0; i < _n; i++)
            {
                if (x.Gold[i] < 0 && x.ItemStart[i + 1] == x.ItemStart[i])
                {
                    continue;
                }

                for (var c = 0; c < _k; c++)
                {
                    _classPrior[c] += _t[(i * _k) + c];
                    counted += _t[(i * _k) + c];
                }
            }

            for (var c = 0; c < _k; c++)
            {
                _classPrior[c] = (_classPrior[c] + options.ClassPriorStrength) / (counted + (_k * options.ClassPriorStrength));
            }

            // Soft confusion counts. With the corroborated methods, an item answered by one contributor only
            // (not gold) is left out: its posterior rests on that contributor's own answer, so counting it
            // would only confirm whatever their matrix already says (self-reinforcement).
            var kk = _k * _k;
            Array.Clear(_confusion);
            var corroboratedOnly = ConsensusMethods.IsCorroborated(options.Method);
            for (var i = 0; i < _n; i++)
            {
                var start = x.ItemStart[i];
                var end = x.ItemStart[i + 1];
                if (corroboratedOnly && x.Gold[i] < 0 && end > start && x.AnswerWorker[start] == x.AnswerWorker[end - 1])
                {
                    continue;
                }

                var row = _t.AsSpan(i * _k, _k);
                for (var a = start; a < end; a++)
                {
                    var cell = (x.AnswerWorker[a] * kk) + x.AnswerLabel[a];
                    for (var c = 0; c < _k; c++)
                    {
                        _confusion[cell + (c * _k)] += row[c];
                    }
                }
            }

            if (options.Method == ConsensusMethods.OneCoin)
            {
                OneCoinSkills();
            }
            else if (ConsensusMethods.IsHierarchical(options.Method))
            {
                HierarchicalSkills();
            }
            else
            {
                ConfusionSkills(
                    ConsensusMethods.UsesPooled(options.Method) ? options.PooledWeight : 0,
                    ConsensusMethods.IsShrunk(options.Method));
            }

            Logs();
        }

        private const int StrengthSteps = 20;
        private const double StrengthTolerance = 1e-4;
        private const double MinStrength = 1e-3;

        // The hyper-prior on each concentration s: uniform on ρ = 1/(1 + s), the correlation of two answers of one
        // contributor on the same true choice (equivalently on the share s/(1 + s) that a one-answer row borrows
        // from the mean: a "uniform shrinkage" prior). s is estimated as the mode of its posterior on the log scale,
        // where that prior is the logistic density s/(1 + s)²: it adds 1 − 2s/(1 + s) to s·∂(log likelihood)/∂s,
        // so s stays finite (without it the maximum-likelihood s is infinite whenever the contributors' soft counts
        // are no more spread than multinomial noise: s grew without bound through EM, and the fit depended on
        // where the iteration cap stopped it) and away from 0 (on a crowd too small to say, near the prior's
        // mode on that scale, s = 1, where a plain MAP of s would go to 0 and every contributor look like a spammer).
        private double[]? _strength;
        private int[]? _groupOf;
        private SkillPrior[]? _groupPriors;
        private double[]? _groupMeans;
        private double[]? _typical;
        private double _typicalShare = 0.5;
        private double _priorShare = 0.5; // the share the last responsibilities used: what a contributor without answers gets

        /// <summary>
        /// Empirical-Bayes (hierarchical) Dawid–Skene. Every contributor's row for true class c is drawn from
        /// a Dirichlet with mean m_c and concentration s_c: m_c is the pooled row of the contributors who
        /// share their prior (one group per channel prior; the whole crowd when there is none), smoothed by
        /// that prior's pseudo-answers; s_c, shared by the crowd, is re-estimated at every M-step by
        /// maximising the Dirichlet-multinomial marginal likelihood of every contributor's soft counts
        /// (Minka's fixed point for the precision, warm-started) with a hyper-prior on s (uniform on 1/(1 + s);
        /// posterior mode of log s). How much a contributor borrows from the crowd is learned from the
        /// data, not set. Each row is the posterior mean (n + s·m) / (N + s).
        /// </summary>
        private void HierarchicalSkills()
        {
            var kk = _k * _k;
            if (_groupOf is null)
            {
                var groups = new List<SkillPrior>();
                _groupOf = new int[_w];
                for (var w = 0; w < _w; w++)
                {
                    var g = groups.IndexOf(x.WorkerPriors[w]);
                    if (g < 0)
                    {
                        g = groups.Count;
                        groups.Add(x.WorkerPriors[w]);
                    }

                    _groupOf[w] = g;
                }

                _groupPriors = [.. groups];
                _groupMeans = new double[groups.Count * kk];
                _strength = new double[_k];
                Array.Fill(_strength, Math.Max(options.WorkerPrior.Strength, 1));
            }

            // Group means: pooled soft counts plus the group prior's pseudo-answers, row-normalised.
            var means = _groupMeans!;
            Span<double> shape = stackalloc double[kk];
            for (var g = 0; g < _groupPriors!.Length; g++)
            {
                var mean = means.AsSpan(g * kk, kk);
                SetShape(shape, _groupPriors[g].Accuracy);
                for (var e = 0; e < kk; e++)
                {
                    mean[e] = _groupPriors[g].Strength * shape[e];
                }
            }

            for (var w = 0; w < _w; w++)
            {
                var mean = means.AsSpan(_groupOf[w] * kk, kk);
                for (var e = 0; e < kk; e++)
                {
                    mean[e] += _confusion[(w * kk) + e];
                }
            }

            for (var g = 0; g < _groupPriors.Length; g++)
            {
                SetShape(shape, _groupPriors[g].Accuracy);
                for (var c = 0; c < _k; c++)
                {
                    var row = means.AsSpan((g * kk) + (c * _k), _k);
                    var sum = 0.0;
                    foreach (var v in row)
                    {
                        sum += v;
                    }

                    for (var l = 0; l < _k; l++)
                    {
                        row[l] = sum > 0 ? Math.Max(row[l] / sum, 1e-9) : shape[(c * _k) + l];
                    }
                }
            }

            // Robust prior: a contributor is either typical (the learned Dirichlet above) or a spammer, whose
            // answers do not depend on the true choice (every row the same, flat Dirichlet(1, …, 1) on it: the
            // spammer model of Raykar & Yu 2012 and MACE), with responsibilities from the marginal likelihood
            // of their counts under each; the share of typical contributors is learned too.
            var typical = _typical ??= new double[_w];
            var share = _priorShare = _typicalShare;
            var typicalTotal = 0.0;
            Span<double> answered = stackalloc double[_k];
            var groupLogNorm = new double[_groupPriors.Length * _k]; // per group and true class: ln Γ(s) − Σ_l ln Γ(s·m_l)
            for (var g = 0; g < _groupPriors.Length; g++)
            {
                for (var c = 0; c < _k; c++)
                {
                    var norm = Special.LogGamma(_strength![c]);
                    for (var l = 0; l < _k; l++)
                    {
                        norm -= Special.LogGamma(_strength[c] * means[(g * kk) + (c * _k) + l]);
                    }

                    groupLogNorm[(g * _k) + c] = norm;
                }
            }

            for (var w = 0; w < _w; w++)
            {
                double logTypical = 0, logSpam = 0, total = 0;
                answered.Clear();
                for (var c = 0; c < _k; c++)
                {
                    var counts = _confusion.AsSpan((w * kk) + (c * _k), _k);
                    var mean = means.AsSpan((_groupOf[w] * kk) + (c * _k), _k);
                    var strength = _strength![c];
                    var n = 0.0;
                    for (var l = 0; l < _k; l++)
                    {
                        n += counts[l];
                        answered[l] += counts[l];
                        logTypical += Special.LogGamma(counts[l] + (strength * mean[l]));
                    }

                    total += n;
                    logTypical += groupLogNorm[(_groupOf[w] * _k) + c] - Special.LogGamma(n + strength);
                }

                for (var l = 0; l < _k; l++)
                {
                    logSpam += Special.LogGamma(answered[l] + 1);
                }

                logSpam += Special.LogGamma(_k) - Special.LogGamma(total + _k);
                typical[w] = 1 / (1 + Math.Exp(Math.Clamp(Math.Log(1 - share) + logSpam - Math.Log(share) - logTypical, -700, 700)));
                typicalTotal += typical[w];
            }

            _typicalShare = (typicalTotal + 1) / (_w + 2);

            // The concentration of each true class's rows: Minka's fixed point with the means held fixed,
            // over the typical contributors (weighted by their responsibility), with the hyper-prior's terms:
            // s ← (s·num + 1) / (den + 2/(1 + s)), whose fixed point is s·(num − den) + 1 − 2s/(1 + s) = 0.
            var groupCount = _groupPriors.Length;
            var psiPrior = new double[groupCount * _k];
            for (var c = 0; c < _k; c++)
            {
                var s = _strength![c];
                for (var step = 0; step < StrengthSteps; step++)
                {
                    double num = 0, den = 0;
                    var psiS = Special.Digamma(s);
                    for (var g = 0; g < groupCount; g++)
                    {
                        for (var l = 0; l < _k; l++)
                        {
                            psiPrior[(g * _k) + l] = Special.Digamma(s * means[(g * kk) + (c * _k) + l]);
                        }
                    }

                    for (var w = 0; w < _w; w++)
                    {
                        var counts = _confusion.AsSpan((w * kk) + (c * _k), _k);
                        var mean = means.AsSpan((_groupOf[w] * kk) + (c * _k), _k);
                        var psiMean = psiPrior.AsSpan(_groupOf[w] * _k, _k);
                        var n = 0.0;
                        for (var l = 0; l < _k; l++)
                        {
                            n += counts[l];
                            num += counts[l] > 0 ? typical[w] * mean[l] * (Special.Digamma(counts[l] + (s * mean[l])) - psiMean[l]) : 0;
                        }

                        den += n > 0 ? typical[w] * (Special.Digamma(n + s) - psiS) : 0;
                    }

                    if (!(den > 0) || !(num > 0))
                    {
                        break;
                    }

                    var next = Math.Clamp(((s * num) + 1) / (den + (2 / (1 + s))), MinStrength, 1e6);
                    var settled = Math.Abs(next - s) <= StrengthTolerance * s;
                    s = next;
                    if (settled)
                    {
                        break;
                    }
                }

                _strength[c] = s;
            }

            // Each row: the posterior mean under the mixture, r·(n + s·m)/(N + s) + (1 − r)·(a + 1)/(A + K),
            // a being the contributor's answers over all true choices (the spammer's one row).
            for (var w = 0; w < _w; w++)
            {
                var m = _confusion.AsSpan(w * kk, kk);
                var mean = means.AsSpan(_groupOf[w] * kk, kk);
                answered.Clear();
                var total = 0.0;
                for (var e = 0; e < kk; e++)
                {
                    answered[e % _k] += m[e];
                    total += m[e];
                }

                for (var c = 0; c < _k; c++)
                {
                    var n = 0.0;
                    for (var l = 0; l < _k; l++)
                    {
                        n += m[(c * _k) + l];
                    }

                    var strength = _strength![c];
                    for (var l = 0; l < _k; l++)
                    {
                        var count = m[(c * _k) + l];
                        m[(c * _k) + l] = (typical[w] * (count + (strength * mean[(c * _k) + l])) / (n + strength)) +
                                          ((1 - typical[w]) * (answered[l] + 1) / (total + _k));
                    }
                }
            }
        }

        /// <summary>The learned prior mean of a contributor whose prior is <paramref name="prior"/> (null before any M-step or for an unseen group).</summary>
        private double[]? HierarchicalMean(SkillPrior prior)
        {
            var g = _groupPriors is null ? -1 : Array.IndexOf(_groupPriors, prior);
            if (g < 0)
            {
                return null;
            }

            // With no answer yet, the mixture's own mean: typical with the learned share, else flat.
            var mean = _groupMeans!.AsSpan(g * _k * _k, _k * _k).ToArray();
            for (var e = 0; e < mean.Length; e++)
            {
                mean[e] = (_priorShare * mean[e]) + ((1 - _priorShare) / _k);
            }

            return mean;
        }

        private void OneCoinSkills()
        {
            var kk = _k * _k;
            for (var w = 0; w < _w; w++)
            {
                var m = _confusion.AsSpan(w * kk, kk);
                double right = 0, total = 0;
                for (var c = 0; c < _k; c++)
                {
                    for (var l = 0; l < _k; l++)
                    {
                        total += m[(c * _k) + l];
                        if (c == l)
                        {
                            right += m[(c * _k) + l];
                        }
                    }
                }

                var prior = x.WorkerPriors[w];
                var accuracy = total + prior.Strength > 0 ? (right + (prior.Strength * prior.Accuracy)) / (total + prior.Strength) : prior.Accuracy;
                SetShape(m, accuracy);
            }
        }

        private void ConfusionSkills(double pooledWeight, bool shrinkToOwnAccuracy)
        {
            var kk = _k * _k;
            if (pooledWeight > 0)
            {
                // The crowd's pooled confusion matrix, itself smoothed by the default prior.
                Array.Clear(_pooled);
                for (var w = 0; w < _w; w++)
                {
                    for (var e = 0; e < kk; e++)
                    {
                        _pooled[e] += _confusion[(w * kk) + e];
                    }
                }

                var shape = new double[kk];
                SetShape(shape, options.WorkerPrior.Accuracy);
                for (var c = 0; c < _k; c++)
                {
                    var row = _pooled.AsSpan(c * _k, _k);
                    var sum = 0.0;
                    for (var l = 0; l < _k; l++)
                    {
                        row[l] += options.WorkerPrior.Strength * shape[(c * _k) + l];
                        sum += row[l];
                    }

                    for (var l = 0; l < _k; l++)
                    {
                        row[l] = sum > 0 ? row[l] / sum : shape[(c * _k) + l];
                    }
                }
            }

            Span<double> pseudo = stackalloc double[kk];
            for (var w = 0; w < _w; w++)
            {
                var prior = x.WorkerPriors[w];
                PriorRows(prior, pooledWeight, pseudo);
                if (shrinkToOwnAccuracy)
                {
                    // The contributor's own one-coin accuracy (itself shrunk by the prior) shapes their rows' prior.
                    var m0 = _confusion.AsSpan(w * kk, kk);
                    double right = 0, total = 0;
                    for (var c = 0; c < _k; c++)
                    {
                        for (var l = 0; l < _k; l++)
                        {
                            total += m0[(c * _k) + l];
                            right += c == l ? m0[(c * _k) + l] : 0;
                        }
                    }

                    var own = (right + (prior.Strength * prior.Accuracy)) / (total + prior.Strength);
                    PriorRows(prior with { Accuracy = Math.Clamp(own, 1e-6, 1 - 1e-6) }, pooledWeight, pseudo);
                }

                var m = _confusion.AsSpan(w * kk, kk);
                for (var c = 0; c < _k; c++)
                {
                    var sum = 0.0;
                    for (var l = 0; l < _k; l++)
                    {
                        m[(c * _k) + l] += prior.Strength * pseudo[(c * _k) + l];
                        sum += m[(c * _k) + l];
                    }

                    for (var l = 0; l < _k; l++)
                    {
                        m[(c * _k) + l] = sum > 0 ? m[(c * _k) + l] / sum : pseudo[(c * _k) + l];
                    }
                }
            }
        }

        /// <summary>The prior's expected confusion matrix: evenly spread errors, mixed with the pooled matrix.</summary>
        private void PriorRows(SkillPrior prior, double pooledWeight, Span<double> into)
        {
            SetShape(into, prior.Accuracy);
            if (pooledWeight > 0)
            {
                for (var e = 0; e < into.Length; e++)
                {
                    into[e] = ((1 - pooledWeight) * into[e]) + (pooledWeight * _pooled[e]);
                }
            }
        }

        private void SetShape(Span<double> m, double accuracy)
        {
            var off = (1 - accuracy) / (_k - 1);
            for (var c = 0; c < _k; c++)
            {
                for (var l = 0; l < _k; l++)
                {
                    m[(c * _k) + l] = c == l ? accuracy : off;
                }
            }
        }

        private void Logs()
        {
            for (var e = 0; e < _confusion.Length; e++)
            {
                _logConfusion[e] = Math.Log(Math.Max(_confusion[e], 1e-300));
            }
        }

        /// <summary>Recomputes every posterior from the current skills; returns the largest change.</summary>
        private double EStep()
        {
            var kk = _k * _k;
            var delta = 0.0;
            Span<double> logPrior = stackalloc double[_k];
            Span<double> scores = stackalloc double[_k];
            Span<double> p = stackalloc double[_k];
            for (var c = 0; c < _k; c++)
            {
                logPrior[c] = Math.Log(_classPrior[c]);
            }

            for (var i = 0; i < _n; i++)
            {
                if (x.Gold[i] >= 0)
                {
                    continue;
                }

                logPrior.CopyTo(scores);
                for (var a = x.ItemStart[i]; a < x.ItemStart[i + 1]; a++)
                {
                    var cell = (x.AnswerWorker[a] * kk) + x.AnswerLabel[a];
                    for (var c = 0; c < _k; c++)
                    {
                        scores[c] += _logConfusion[cell + (c * _k)];
                    }
                }

                ItemBelief.Softmax(scores, p);
                var row = _t.AsSpan(i * _k, _k);
                for (var c = 0; c < _k; c++)
                {
                    delta = Math.Max(delta, Math.Abs(p[c] - row[c]));
                    row[c] = p[c];
                }
            }

            return delta;
        }

        public ConsensusFit Result(int iterations, string method)
        {
            var kk = _k * _k;
            var classPrior = (double[])_classPrior.Clone();
            var workers = new Dictionary<string, WorkerSkill>(_w, StringComparer.Ordinal);
            for (var w = 0; w < _w; w++)
            {
                workers[x.Workers[w]] = new WorkerSkill(x.Workers[w], x.WorkerAnswerCount[w], _confusion.AsSpan(w * kk, kk).ToArray(), _k, classPrior);
            }

            var items = new Dictionary<string, ItemPosterior>(_n, StringComparer.Ordinal);
            for (var i = 0; i < _n; i++)
            {
                var p = _t.AsSpan(i * _k, _k).ToArray();
                var best = ItemBelief.ArgMax(p);
                items[x.Items[i]] = new ItemPosterior(x.Items[i], p, x.Labels[best], p[best], x.ItemStart[i + 1] - x.ItemStart[i], x.Gold[i] >= 0);
            }

            var pooled = (double[])_pooled.Clone();
            var pooledWeight = ConsensusMethods.UsesPooled(options.Method) ? options.PooledWeight : 0;
            return new ConsensusFit(method, x.Labels, classPrior, items, workers, PriorSkill, iterations, options.DontKnowLabel);

            WorkerSkill PriorSkill(string? channel)
            {
                var prior = options.PriorFor(channel);
                if (ConsensusMethods.IsHierarchical(options.Method) && HierarchicalMean(prior) is { } learned)
                {
                    // A new contributor is expected to behave like the learned prior mean of their channel's group.
                    return new WorkerSkill(string.Empty, 0, learned, _k, classPrior);
                }

                var m = new double[kk];
                SetShape(m, prior.Accuracy);
                if (pooledWeight > 0 && options.Method != ConsensusMethods.MajorityVote)
                {
                    for (var e = 0; e < kk; e++)
                    {
                        m[e] = ((1 - pooledWeight) * m[e]) + (pooledWeight * pooled[e]);
                    }
                }

                return new WorkerSkill(string.Empty, 0, m, _k, classPrior);
            }
        }
    }
}
