// tokenCrossEntropySum's fused head (chunked logits, gradients computed in the forward) against the
// plain formula: loss and the gradients of the hidden states and the head weight, with enough rows
// for several chunks, ignored positions, tied and untied heads, fp32 and bf16.
#include <QTest>

#include <torch/torch.h>

#include "engine/batching.h"
#include "engine/token_loss.h"
#include "engine_test_support.h"

using namespace ft;

class TestTokenLoss : public QObject {
    Q_OBJECT
private slots:
    void fusedHeadMatchesTheFormula_data()
    {
        QTest::addColumn<bool>("tied");
        QTest::addColumn<bool>("bf16");
        QTest::newRow("tied, fp32") << true << false;
        QTest::newRow("untied, fp32") << false << false;
        QTest::newRow("tied, bf16") << true << true;
    }
    // A vocabulary of 100,000 makes a chunk 167 rows, so 2 x 200 positions less 2 x 20 ignored take
    // three chunks, the last one partial.
    void fusedHeadMatchesTheFormula()
    {
        QFETCH(bool, tied);
        QFETCH(bool, bf16);
        ModelConfig config = test::tinyConfig();
        config.vocabSize = 100000;
        config.hiddenSize = 16;
        config.intermediateSize = 16;
        config.numLayers = 1;
        config.numHeads = 2;
        config.numKvHeads = 1;
        config.headDim = 8;
        config.tieWordEmbeddings = tied;
        const torch::ScalarType dtype = bf16 ? torch::kBFloat16 : torch::kFloat32;
        LlamaForCausalLM model(config, dtype, WeightInit::Random, 3);
        model->train();

        torch::manual_seed(11);
        const int64_t B = 2, T = 200;
        torch::Tensor targets = torch::randint(0, config.vocabSize, {B, T}, torch::kInt64);
        targets.narrow(1, 0, 20).fill_(kIgnoreTarget); // a prompt without loss
        const torch::Tensor hiddenValues = torch::randn({B, T, config.hiddenSize}).to(dtype);
        const torch::Tensor weight = model->outputWeight();

        torch::Tensor hidden = hiddenValues.clone().requires_grad_(true);
        const torch::Tensor loss = tokenCrossEntropySum(*model, hidden, targets);
        const auto grads = torch::autograd::grad({loss}, {hidden, weight});

        // The formula in double over all logits at once.
        torch::Tensor hidden64 = hiddenValues.to(torch::kFloat64).requires_grad_(true);
        torch::Tensor weight64 = weight.detach().to(torch::kFloat64).requires_grad_(true);
        const torch::Tensor logits = torch::matmul(hidden64.view({-1, config.hiddenSize}), weight64.t());
        const torch::Tensor expected = torch::nn::functional::cross_entropy(
            logits, targets.view({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(kIgnoreTarget));
        const auto expectedGrads = torch::autograd::grad({expected}, {hidden64, weight64});

        const double tolerance = bf16 ? 2e-2 : 1e-5;
        const double lossValue = loss.item<double>(), expectedValue = expected.item<double>();
        QVERIFY2(std::abs(lossValue - expectedValue) <= tolerance * expectedValue,
                 qPrintable(QStringLiteral("loss %1, formula %2").arg(lossValue).arg(expectedValue)));
        const char* names[] = {"hidden", "weight"};
        for (int i = 0; i < 2; ++i) {
            const double error = test::maxAbsDiff(grads[static_cast<size_t>(i)].to(torch::kFloat64),
                                                  expectedGrads[static_cast<size_t>(i)]);
            const double size = expectedGrads[static_cast<size_t>(i)].abs().max().item<double>();
            QVERIFY2(error <= tolerance * std::max(1.0, size),
                     qPrintable(QStringLiteral("gradient of %1: error %2 against values up to %3")
                                    .arg(names[i])
                                    .arg(error)
                                    .arg(size)));
        }
        // Ignored positions pass no gradient to their hidden states.
        QCOMPARE(grads[0].narrow(1, 0, 20).abs().max().item<float>(), 0.0f);
    }
};

QTEST_APPLESS_MAIN(TestTokenLoss)
#include "tst_token_loss.moc"
