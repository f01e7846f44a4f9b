using CoConstruisons.Learning.Cnn;

namespace CoConstruisons.Learning.Tests;

/// <summary>The network's two optimizers: AdamW (default) and SGD with Nesterov momentum.</summary>
[UiCulture("en-GB")]
public sealed class OptimizerTests
{
    [Fact]
    public void An_sgd_step_follows_nesterov_momentum_with_l2_weight_decay()
    {
        // Two steps written out by hand: g = ∇ + λw; b = μb + g; w = w − lr(g + μb).
        float[] w = [1f, -2f];
        float[] velocity = [0f, 0f];
        const float lr = 0.1f, decay = 0.01f, mu = 0.9f;

        CnnTrainer.SgdStep(w, [0.5f, 0.25f], velocity, lr, decay, mu);
        var g0 = 0.5f + (decay * 1f);
        var b0 = g0;
        var w1 = 1f - (lr * (g0 + (mu * b0)));
        Assert.Equal(w1, w[0], 6);

        CnnTrainer.SgdStep(w, [0.5f, 0.25f], velocity, lr, decay, mu);
        var g1 = 0.5f + (decay * w1);
        var b1 = (mu * b0) + g1;
        Assert.Equal(w1 - (lr * (g1 + (mu * b1))), w[0], 6);

        // Without momentum or decay it is plain gradient descent.
        float[] plain = [1f];
        CnnTrainer.SgdStep(plain, [0.5f], [0f], lr, 0f, 0f);
        Assert.Equal(1f - (lr * 0.5f), plain[0], 6);
    }

    [Fact]
    public void A_network_trained_with_sgd_recognises_fresh_roofs_it_never_saw()
    {
        var items = TinyModelFixture.Generate(160, seed: 21);
        var result = Trainer.Train(items, new TrainerOptions
        {
            Model = ModelKind.Network,
            TargetPrecision = 0.9,
            Network = new CnnOptions { Width = 4, Epochs = 12, BatchSize = 16, Optimizer = CnnOptimizer.Sgd, LearningRate = 0.05 },
        });

        var fresh = TinyModelFixture.Generate(40, seed: 77);
        var classifier = result.Classifier;
        var network = classifier.PredictNetwork([.. fresh.Select(i => i.Image)])!;
        var correct = fresh.Where((item, i) => classifier.Classes[Evaluation.ArgMax(network[i])] == item.Label).Count();
        // As NetworkModelTests for AdamW: a broken optimizer answers one class (10/40) or at random (10 ± 3).
        Assert.True(correct >= 16, $"{correct}/40 correct (chance: 10)");
        Assert.Contains("SGD (Nesterov momentum)", classifier.Metadata.Method, StringComparison.Ordinal);
    }
}
