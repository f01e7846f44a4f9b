namespace CoConstruisons.Domain.Consensus;

/// <summary>
/// Contributor-aware consensus of the Dawid–Skene family, fitted by MAP expectation–maximisation:
/// start from majority vote, then alternate estimating each contributor's confusion matrix (with a
/// prior, so few answers mean little trust) and each item's posterior over choices. Gold items keep
/// their known label throughout and so anchor the skills. See docs/consensus.md.
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
        var em = new Em(index, options);
        var iterations = em.Run();
        return em.Result(iterations);
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

            // Soft confusion counts. With corroborated-dawid-skene, an item answered by one contributor only
            // (not gold) is left out: its posterior rests on that contributor's own answer, so counting it
            // would only confirm whatever their matrix already says (self-reinforcement).
            var kk = _k * _k;
            Array.Clear(_confusion);
            var corroboratedOnly = options.Method == ConsensusMethods.CorroboratedDawidSkene;
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
            else
            {
                ConfusionSkills(
                    ConsensusMethods.UsesPooled(options.Method) ? options.PooledWeight : 0,
                    ConsensusMethods.IsShrunk(options.Method));
            }

            Logs();
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

        public ConsensusFit Result(int iterations)
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
            return new ConsensusFit(options.Method, x.Labels, classPrior, items, workers, PriorSkill, iterations, options.DontKnowLabel);

            WorkerSkill PriorSkill(string? channel)
            {
                var prior = options.PriorFor(channel);
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
