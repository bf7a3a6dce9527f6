#include <QTest>

#include "engine/batching.h"
#include "engine/token_loss.h"
#include "engine_test_support.h"

using namespace ft;

namespace {

TokenizedExample example(std::vector<TokenId> ids, size_t promptLength)
{
    TokenizedExample e;
    e.ids = std::move(ids);
    e.loss.assign(e.ids.size(), 0);
    for (size_t i = promptLength; i < e.ids.size(); ++i)
        e.loss[i] = 1;
    e.promptTokens = static_cast<int64_t>(promptLength);
    e.responseTokens = static_cast<int64_t>(e.ids.size() - promptLength);
    return e;
}

TokenizedSet randomSet(int64_t vocab, const std::vector<int>& lengths)
{
    TokenizedSet set;
    for (int length : lengths) {
        std::vector<TokenId> ids(static_cast<size_t>(length));
        for (auto& id : ids)
            id = static_cast<TokenId>(3 + std::rand() % (vocab - 3));
        set.examples.push_back(example(ids, static_cast<size_t>(length / 3)));
        set.targets += set.examples.back().targetCount();
        set.tokens += length;
    }
    return set;
}

} // namespace

class TestBatching : public QObject {
    Q_OBJECT
private slots:
    void epochOrderIsSeededPermutation()
    {
        const auto a = epochOrder(100, 7, 0);
        QCOMPARE(a, epochOrder(100, 7, 0));
        QVERIFY(a != epochOrder(100, 7, 1));
        QVERIFY(a != epochOrder(100, 8, 0));
        auto sorted = a;
        std::sort(sorted.begin(), sorted.end());
        for (int64_t i = 0; i < 100; ++i)
            QCOMPARE(sorted[static_cast<size_t>(i)], i);
    }
    void packingFillsRowsInOrder()
    {
        const TokenizedSet set = randomSet(50, {10, 20, 30, 15, 5});
        const EpochPlan packed = planEpoch(set, {0, 1, 2, 3, 4}, 40, 2, true);
        // Rows: [10, 20] (30), [30] (45 would not fit), [15, 5] (20) -> micro-batches of 2 rows.
        QCOMPARE(packed.microBatches.size(), size_t(2));
        QCOMPARE(packed.microBatches[0].rows[0].examples, (std::vector<int64_t>{0, 1}));
        QCOMPARE(packed.microBatches[0].rows[1].examples, (std::vector<int64_t>{2}));
        QCOMPARE(packed.microBatches[1].rows[0].examples, (std::vector<int64_t>{3, 4}));
        const EpochPlan padded = planEpoch(set, {0, 1, 2, 3, 4}, 40, 2, false);
        QCOMPARE(padded.microBatches.size(), size_t(3));
        int64_t targets = 0;
        for (const auto& micro : packed.microBatches)
            targets += micro.targets;
        QCOMPARE(targets, set.targets);
    }
    void batchTargetsAreNextTokensWithinEachExample()
    {
        TokenizedSet set;
        set.examples.push_back(example({1, 10, 11, 12}, 2)); // targets at positions 1..2 (tokens 11, 12)
        set.examples.push_back(example({1, 20, 21}, 1));     // targets 20, 21
        MicroBatchPlan plan;
        plan.rows.push_back({{0, 1}, 7});
        const Batch batch = makeBatch(plan, set, 0, true);
        QCOMPARE(batch.tokens.sizes(), (c10::IntArrayRef{1, 7}));
        const std::vector<int64_t> targets(batch.targets.data_ptr<int64_t>(), batch.targets.data_ptr<int64_t>() + 7);
        QCOMPARE(targets, (std::vector<int64_t>{-100, 11, 12, -100, 20, 21, -100}));
        const std::vector<int64_t> positions(batch.layout.positions.data_ptr<int64_t>(),
                                             batch.layout.positions.data_ptr<int64_t>() + 7);
        QCOMPARE(positions, (std::vector<int64_t>{0, 1, 2, 3, 0, 1, 2}));
        QCOMPARE(batch.targetCount, 4);
    }
    void packingGivesTheSameLossAsOneByOne()
    {
        std::srand(3);
        const ModelConfig config = test::tinyConfig();
        LlamaForCausalLM model(config, torch::kFloat32, WeightInit::Random, 9);
        model->eval();
        const TokenizedSet set = randomSet(config.vocabSize, {17, 9, 23, 12, 30, 5});
        const EpochPlan packed = planEpoch(set, {0, 1, 2, 3, 4, 5}, 64, 2, true);
        QVERIFY(packed.microBatches.front().rows.front().examples.size() > 1); // really packed
        torch::NoGradGuard noGrad;
        double packedSum = 0.0;
        for (const auto& micro : packed.microBatches) {
            const Batch batch = makeBatch(micro, set, 0, true);
            packedSum += tokenCrossEntropySum(*model, model->hiddenStates(batch.tokens, batch.layout), batch.targets)
                             .item<double>();
        }
        double separateSum = 0.0;
        for (int64_t i = 0; i < 6; ++i) {
            MicroBatchPlan single;
            single.rows.push_back({{i}, static_cast<int64_t>(set.examples[static_cast<size_t>(i)].ids.size())});
            const Batch batch = makeBatch(single, set, 0, false);
            const double loss =
                tokenCrossEntropySum(*model, model->hiddenStates(batch.tokens, batch.layout), batch.targets)
                    .item<double>();
            // Each example's own loss inside the packed batch equals its loss alone.
            MicroBatchPlan withOthers;
            withOthers.rows.push_back({{(i + 1) % 6, i}, 0});
            withOthers.rows.back().length =
                static_cast<int64_t>(set.examples[static_cast<size_t>((i + 1) % 6)].ids.size() +
                                     set.examples[static_cast<size_t>(i)].ids.size());
            const Batch both = makeBatch(withOthers, set, 0, true);
            const torch::Tensor hidden = model->hiddenStates(both.tokens, both.layout);
            const int64_t offset = static_cast<int64_t>(set.examples[static_cast<size_t>((i + 1) % 6)].ids.size());
            const torch::Tensor ownTargets = torch::full_like(both.targets, kIgnoreTarget);
            ownTargets.narrow(1, offset, both.targets.size(1) - offset)
                .copy_(both.targets.narrow(1, offset, both.targets.size(1) - offset));
            const double inPack = tokenCrossEntropySum(*model, hidden, ownTargets).item<double>();
            QVERIFY2(std::abs(inPack - loss) < 1e-4 * std::max(1.0, loss),
                     qPrintable(QStringLiteral("example %1: %2 vs %3").arg(i).arg(inPack).arg(loss)));
            separateSum += loss;
        }
        QVERIFY2(std::abs(packedSum - separateSum) < 1e-4 * separateSum,
                 qPrintable(QStringLiteral("%1 vs %2").arg(packedSum).arg(separateSum)));
    }
};

QTEST_APPLESS_MAIN(TestBatching)
#include "tst_batching.moc"
