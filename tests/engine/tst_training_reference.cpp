// The training step against an independent implementation: llama2.c's PyTorch model.py ran 5 AdamW
// steps on a fixed batch of stories260K (reference.json, reference.safetensors).

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "common/json_file.h"
#include "engine/batching.h"
#include "engine/model_loader.h"
#include "engine/token_loss.h"
#include "engine/trainable_setup.h"
#include "engine_test_support.h"
#include "support/test_support.h"

using namespace ft;

namespace {

double relativeL2(const torch::Tensor& actual, const torch::Tensor& expected)
{
    return ((actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).norm() / expected.to(torch::kFloat64).norm())
        .item<double>();
}

} // namespace

class TestTrainingReference : public QObject {
    Q_OBJECT
private slots:
    void fiveAdamWSteps_data()
    {
        QTest::addColumn<QString>("variant");
        QTest::addColumn<QString>("targetsName");
        QTest::newRow("full targets") << "full"
                                      << "train_targets";
        QTest::newRow("masked targets") << "masked"
                                        << "train_targets_masked";
    }
    void fiveAdamWSteps()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, variant);
        QFETCH(QString, targetsName);
        const QJsonObject training =
            readJsonObjectFile(test::sharedPath(QStringLiteral("fixtures/stories260K/reference.json")))
                .value(QStringLiteral("training"))
                .toObject();
        const QJsonObject expected = training.value(variant).toObject();
        const QJsonObject optimizerSettings = training.value(QStringLiteral("optimizer")).toObject();

        LoadedModel loaded = loadModel(test::sharedPath(QStringLiteral("fixtures/stories260K/hf")));
        LlamaForCausalLMImpl& model = *loaded.model;
        model.train();
        const torch::Tensor inputs = test::referenceTensor(QStringLiteral("train_inputs"));
        torch::Tensor targets = test::referenceTensor(targetsName);
        targets = targets.masked_fill(targets == -1, kIgnoreTarget); // the reference marks "no loss" with -1
        const int64_t count = (targets != kIgnoreTarget).sum().item<int64_t>();

        TrainConfig config;
        config.learningRate = optimizerSettings[QStringLiteral("lr")].toDouble();
        config.beta1 = optimizerSettings[QStringLiteral("betas")].toArray()[0].toDouble();
        config.beta2 = optimizerSettings[QStringLiteral("betas")].toArray()[1].toDouble();
        config.eps = optimizerSettings[QStringLiteral("eps")].toDouble();
        config.weightDecay = optimizerSettings[QStringLiteral("weight_decay")].toDouble();
        const auto parameters = selectTrainableParameters(model, config);
        QCOMPARE(parameterCount(parameters), loaded.config.parameterCount()); // tied embedding counted once
        auto optimizer = makeOptimizer(parameters, config);

        const QJsonArray losses = expected[QStringLiteral("losses")].toArray();
        const QJsonArray gradNorms = expected[QStringLiteral("grad_norms")].toArray();
        QCOMPARE(losses.size(), 5);
        for (int step = 0; step < 5; ++step) {
            optimizer->zero_grad();
            const torch::Tensor loss =
                tokenCrossEntropySum(model, model.hiddenStates(inputs), targets) / static_cast<double>(count);
            loss.backward();
            const double want = losses[step].toDouble();
            QVERIFY2(std::abs(loss.item<double>() - want) / want < 1e-4,
                     qPrintable(QStringLiteral("step %1: loss %2, reference %3")
                                    .arg(step)
                                    .arg(loss.item<double>(), 0, 'g', 9)
                                    .arg(want, 0, 'g', 9)));
            const double norm = gradientNorm(parameters);
            QVERIFY2(std::abs(norm - gradNorms[step].toDouble()) / gradNorms[step].toDouble() < 1e-4,
                     qPrintable(QStringLiteral("step %1: grad norm %2, reference %3")
                                    .arg(step)
                                    .arg(norm)
                                    .arg(gradNorms[step].toDouble())));
            if (step == 0) {
                int checked = 0;
                for (const NamedParameter& p : parameters) {
                    const QString name =
                        QStringLiteral("%1.step0.grad.%2").arg(variant, QString::fromStdString(p.name));
                    try {
                        const torch::Tensor reference = test::referenceTensor(name);
                        const double error = relativeL2(p.tensor.grad(), reference);
                        QVERIFY2(error < 1e-4,
                                 qPrintable(QStringLiteral("%1: relative L2 error %2").arg(name).arg(error)));
                        ++checked;
                    } catch (const std::exception&) {
                        // Only some tensors have reference gradients.
                    }
                }
                QCOMPARE(checked, 6);
            }
            optimizer->step();
        }
    }
};

QTEST_APPLESS_MAIN(TestTrainingReference)
#include "tst_training_reference.moc"
