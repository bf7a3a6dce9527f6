// DPO's loss, rewards and gradients against a computation by hand (also the conservative, hinge and
// IPO variants), and each answer's log-probability
// (row by row through the fused head) against the log-softmax of the model's full logits.

#include <cmath>

#include <QTest>

#include "engine/preference_loss.h"
#include "engine_test_support.h"

using namespace ft;

namespace {

// Summed log-probabilities of each row's target tokens, from the whole logits (the plain way).
torch::Tensor logProbsFromFullLogits(LlamaForCausalLMImpl& model, const torch::Tensor& tokens,
                                     const torch::Tensor& targets)
{
    const torch::Tensor logProbs = torch::log_softmax(model.forward(tokens).to(torch::kFloat64), -1); // (R, T, V)
    const torch::Tensor mask = targets != -100;
    const torch::Tensor picked = logProbs.gather(2, targets.clamp_min(0).unsqueeze(2)).squeeze(2); // (R, T)
    return (picked * mask).sum(1);
}

DpoOptions beta(double value, DpoLossType type = DpoLossType::Sigmoid, double labelSmoothing = 0.0)
{
    DpoOptions options;
    options.beta = value;
    options.type = type;
    options.labelSmoothing = labelSmoothing;
    return options;
}

bool near(const torch::Tensor& value, double expected, double tolerance = 1e-6)
{
    return std::abs(value.item<double>() - expected) < tolerance;
}

} // namespace

class TestPreferenceLoss : public QObject {
    Q_OBJECT
private slots:
    void lossRewardsAndGradientsAsComputedByHand()
    {
        // Two pairs, beta 0.1. Pair 1: chosen gained 1 nat over the reference, rejected lost 1:
        // z = 0.1 * (1 - (-1)) = 0.2. Pair 2 the other way round: z = -0.2.
        // -log sigmoid(0.2) = log(1 + e^-0.2) = 0.5981388693815918
        // -log sigmoid(-0.2) = log(1 + e^0.2) = 0.7981388693815918
        const auto leaf = [](std::vector<double> v) { return torch::tensor(v, torch::kFloat64).requires_grad_(true); };
        torch::Tensor policyChosen = leaf({-10.0, -20.0});
        torch::Tensor policyRejected = leaf({-12.0, -15.0});
        const torch::Tensor referenceChosen = torch::tensor({-11.0, -19.0}, torch::kFloat64);
        const torch::Tensor referenceRejected = torch::tensor({-11.0, -16.0}, torch::kFloat64);
        const DpoTerms terms = dpoTerms(policyChosen, policyRejected, referenceChosen, referenceRejected, beta(0.1));
        QCOMPARE(terms.losses.numel(), int64_t(2));
        QVERIFY(std::abs(terms.losses[0].item<double>() - 0.5981388693815918) < 1e-6);
        QVERIFY(std::abs(terms.losses[1].item<double>() - 0.7981388693815918) < 1e-6);
        // Implicit rewards: beta * (policy - reference).
        QVERIFY(std::abs(terms.chosenRewards[0].item<double>() - 0.1) < 1e-12);
        QVERIFY(std::abs(terms.chosenRewards[1].item<double>() - (-0.1)) < 1e-12);
        QVERIFY(std::abs(terms.rejectedRewards[0].item<double>() - (-0.1)) < 1e-12);
        QVERIFY(std::abs(terms.rejectedRewards[1].item<double>() - 0.1) < 1e-12);

        // The mean loss's gradient: d/d chosen = -beta * sigmoid(-z) / P, d/d rejected its negative.
        // sigmoid(-0.2) = 0.4501660026875221, sigmoid(0.2) = 0.5498339973124778.
        terms.losses.mean().backward();
        const double g1 = -0.1 * 0.4501660026875221 / 2; // -0.02250830013437611
        const double g2 = -0.1 * 0.5498339973124778 / 2; // -0.0274916998656239
        QVERIFY(std::abs(policyChosen.grad()[0].item<double>() - g1) < 1e-7);
        QVERIFY(std::abs(policyChosen.grad()[1].item<double>() - g2) < 1e-7);
        QVERIFY(std::abs(policyRejected.grad()[0].item<double>() + g1) < 1e-7);
        QVERIFY(std::abs(policyRejected.grad()[1].item<double>() + g2) < 1e-7);

        PreferenceSums sums;
        sums.add(terms);
        QCOMPARE(sums.pairs, 2.0);
        QCOMPARE(sums.correct, 1.0); // pair 1 ranks the chosen answer higher, pair 2 does not
        QVERIFY(std::abs(sums.loss / sums.pairs - 0.6981388693815918) < 1e-6);
        QVERIFY(std::abs(sums.chosenReward - sums.rejectedReward) < 1e-12); // margins +0.2 and -0.2
    }
    // The same two pairs as above (log-ratio margins z = +2 and -2), under the other losses.
    void theVariantsAsComputedByHand()
    {
        const auto leaf = [](std::vector<double> v) { return torch::tensor(v, torch::kFloat64).requires_grad_(true); };
        const torch::Tensor referenceChosen = torch::tensor({-11.0, -19.0}, torch::kFloat64);
        const torch::Tensor referenceRejected = torch::tensor({-11.0, -16.0}, torch::kFloat64);

        // Conservative DPO, e = 0.1: 0.9 softplus(-0.2) + 0.1 softplus(0.2) = 0.9 * 0.5981388693815918 +
        // 0.1 * 0.7981388693815918 = 0.6181388693815918; pair 2 the other way round: 0.7781388693815918.
        {
            torch::Tensor chosen = leaf({-10.0, -20.0});
            const DpoTerms t = dpoTerms(chosen, leaf({-12.0, -15.0}), referenceChosen, referenceRejected,
                                        beta(0.1, DpoLossType::Sigmoid, 0.1));
            QVERIFY(near(t.losses[0], 0.6181388693815918));
            QVERIFY(near(t.losses[1], 0.7781388693815918));
            QVERIFY(near(t.chosenRewards[0], 0.1, 1e-12)); // the rewards do not change with the loss
            // d/d chosen of pair 1: beta * (-(1 - e) sigmoid(-0.2) + e sigmoid(0.2))
            //   = 0.1 * (-0.9 * 0.4501660026875221 + 0.1 * 0.5498339973124778) = -0.03501660026875221
            t.losses.sum().backward();
            QVERIFY(near(chosen.grad()[0], -0.03501660026875221, 1e-7));
        }
        // Hinge: max(0, 1 - 0.2) = 0.8 and max(0, 1 + 0.2) = 1.2; the slope is -beta while below 1.
        {
            torch::Tensor chosen = leaf({-10.0, -20.0});
            const DpoTerms t = dpoTerms(chosen, leaf({-12.0, -15.0}), referenceChosen, referenceRejected,
                                        beta(0.1, DpoLossType::Hinge));
            QVERIFY(near(t.losses[0], 0.8));
            QVERIFY(near(t.losses[1], 1.2));
            t.losses.sum().backward();
            QVERIFY(near(chosen.grad()[0], -0.1, 1e-12));
            // A margin past 1 / beta costs nothing and pulls no more.
            const DpoTerms far =
                dpoTerms(torch::tensor({0.0}, torch::kFloat64), torch::tensor({-20.0}, torch::kFloat64),
                         torch::tensor({0.0}, torch::kFloat64), torch::tensor({0.0}, torch::kFloat64),
                         beta(0.1, DpoLossType::Hinge));
            QCOMPARE(far.losses[0].item<double>(), 0.0);
        }
        // IPO on per-token means: chosen answers of 4 and 2 tokens, rejected of 2 and 5; 1 / (2 beta) = 5.
        // Pair 1: chosen +1 / 4 = 0.25, rejected -1 / 2 = -0.5, z = 0.75, (0.75 - 5)^2 = 18.0625.
        // Pair 2: chosen -1 / 2 = -0.5, rejected +1 / 5 = 0.2, z = -0.7, (-0.7 - 5)^2 = 32.49.
        {
            torch::Tensor chosen = leaf({-10.0, -20.0});
            torch::Tensor rejected = leaf({-12.0, -15.0});
            const DpoTerms t =
                dpoTerms(chosen, rejected, referenceChosen, referenceRejected, beta(0.1, DpoLossType::Ipo),
                         torch::tensor({4.0, 2.0}, torch::kFloat64), torch::tensor({2.0, 5.0}, torch::kFloat64));
            QVERIFY(near(t.losses[0], 18.0625, 1e-5));
            QVERIFY(near(t.losses[1], 32.49, 1e-5));
            QVERIFY(near(t.chosenRewards[0], 0.025, 1e-12)); // beta times the per-token mean
            QVERIFY(near(t.rejectedRewards[1], 0.02, 1e-12));
            // d/d chosen of pair 1: 2 (z - 5) / 4 = -2.125; d/d rejected of pair 2: -2 (z - 5) / 5 = 2.28.
            t.losses.sum().backward();
            QVERIFY(near(chosen.grad()[0], -2.125, 1e-9));
            QVERIFY(near(rejected.grad()[1], 2.28, 1e-9));
        }
        // The targets' token counts, for IPO: the positions that are not -100.
        const torch::Tensor targets =
            torch::tensor({-100, 5, 6, -100, -100, -100, 7, -100}, torch::kInt64).view({2, 4});
        QCOMPARE(answerTokenCounts(targets)[0].item<double>(), 2.0);
        QCOMPARE(answerTokenCounts(targets)[1].item<double>(), 1.0);
    }
    void aPolicyEqualToItsReferenceLosesLogTwo()
    {
        const torch::Tensor same = torch::tensor({-3.5, -7.25, -1.0}, torch::kFloat64);
        const DpoTerms terms = dpoTerms(same, same - 2.0, same, same - 2.0, beta(0.5));
        for (int64_t i = 0; i < 3; ++i)
            QVERIFY(std::abs(terms.losses[i].item<double>() - std::log(2.0)) < 1e-6);
    }
    void answerLogProbsMatchTheFullLogits()
    {
        torch::manual_seed(11);
        const ModelConfig config = test::tinyConfig();
        LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 3);
        model->eval();
        const torch::Tensor tokens = torch::randint(3, config.vocabSize, {3, 12}, torch::kInt64);
        torch::Tensor targets = torch::full({3, 12}, int64_t(-100), torch::kInt64);
        // Rows with different answer spans (the next token as target), one of them empty.
        targets.index_put_({0, torch::indexing::Slice(4, 11)}, tokens.index({0, torch::indexing::Slice(5, 12)}));
        targets.index_put_({1, torch::indexing::Slice(1, 6)}, tokens.index({1, torch::indexing::Slice(2, 7)}));

        const torch::Tensor hidden = model->hiddenStates(tokens);
        const torch::Tensor ours = sequenceLogProbs(*model, hidden, targets);
        const torch::Tensor plain = logProbsFromFullLogits(*model, tokens, targets);
        QCOMPARE(ours.sizes().vec(), (std::vector<int64_t>{3}));
        QVERIFY2(test::maxAbsDiff(ours.to(torch::kFloat64), plain) < 1e-4,
                 qPrintable(QStringLiteral("%1 vs %2").arg(ours[0].item<double>()).arg(plain[0].item<double>())));
        QCOMPARE(ours[2].item<double>(), 0.0);

        // Each row's weight reaches its own tokens: gradients of a weighted sum agree with the plain way's.
        const torch::Tensor weights = torch::tensor({0.7, -1.3, 2.0}, torch::kFloat64);
        model->zero_grad();
        (sequenceLogProbs(*model, model->hiddenStates(tokens), targets).to(torch::kFloat64) * weights).sum().backward();
        std::vector<torch::Tensor> oursGrad;
        for (const auto& p : model->parameters())
            oursGrad.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
        model->zero_grad();
        (logProbsFromFullLogits(*model, tokens, targets) * weights).sum().backward();
        size_t i = 0;
        for (const auto& p : model->parameters()) {
            const torch::Tensor plainGrad = p.grad().defined() ? p.grad() : torch::zeros_like(p);
            const double diff = test::maxAbsDiff(oursGrad[i++], plainGrad);
            QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
        }
    }
};

QTEST_APPLESS_MAIN(TestPreferenceLoss)
#include "tst_preference_loss.moc"
