// The models people fine-tune now, at a tiny size with their real tokenizers: `model new --preset qwen3-tiny`
// (q/k norms, head_dim named apart, theta 1e6) and `llama3-tiny` (the "llama3" rope bands) built on the
// Qwen3 and Llama 3 tokenizer.json fixtures, trained in full and with LoRA on multi-turn conversations
// rendered by the model's own chat template (the fixtures' tokenizer_config.json), with the loss on the
// assistant turns only: the validation loss goes down, and the export keeps the architecture and the
// tokenizer. (llama.cpp's agreement with these architectures is tst_gguf_export's.)

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "chat/model_prompt_template.h"
#include "common/error.h"
#include "data/example_encoder.h"
#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "engine/eval_model.h"
#include "engine/generation.h"
#include "engine/model_loader.h"
#include "engine/starter_model.h"
#include "engine/trainer.h"
#include "engine_test_support.h"
#include "modelio/tokenizer.h"
#include "support/test_support.h"
#include "training_test_support.h"

using namespace ft;

class TestModernArchitectures : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_train;

    // The starter model of `preset` on the fixture tokenizer `tokenizer` (created once per test program).
    QString starterModel(const QString& preset, const QString& tokenizer)
    {
        const QString folder = m_dir.filePath(preset);
        if (!QFileInfo::exists(folder)) {
            StarterModelOptions options;
            options.preset = preset;
            options.tokenizerPath = test::sharedPath(QStringLiteral("fixtures/tokenizers/") + tokenizer);
            createStarterModel(folder, options);
        }
        return folder;
    }

private slots:
    // Conversations of two exchanges made from the sample dataset's questions and answers (a system prompt on
    // every other one): a multi-turn dataset of real text.
    void initTestCase()
    {
        std::vector<ExampleRecord> singles;
        for (auto& numbered : readJsonlRecords(sampleDatasetPath()))
            if (singles.size() < 64)
                singles.push_back(numbered.record);
        std::vector<ExampleRecord> conversations;
        for (size_t i = 0; i + 1 < singles.size(); i += 2) {
            ExampleRecord conversation;
            if (i % 4 == 0)
                conversation.system = QStringLiteral("You are a helpful assistant.");
            for (const ExampleRecord* single : {&singles[i], &singles[i + 1]}) {
                const QString user = single->input.isEmpty()
                                         ? single->instruction
                                         : single->instruction + QStringLiteral("\n\n") + single->input;
                conversation.turns.push_back({ChatTurn::Role::User, user});
                conversation.turns.push_back({ChatTurn::Role::Assistant, single->response});
            }
            conversations.push_back(conversation);
        }
        m_train = m_dir.filePath(QStringLiteral("conversations.jsonl"));
        writeJsonlRecords(m_train, conversations);
    }

    void presetsCarryTheArchitectureAndTheTokenizer()
    {
        FT_REQUIRE_SHARED();
        const LoadedModel qwen3 = loadModel(starterModel(QStringLiteral("qwen3-tiny"), QStringLiteral("qwen3")));
        QCOMPARE(qwen3.config.architecture, QStringLiteral("Qwen3ForCausalLM"));
        QVERIFY(qwen3.config.qkNorm);
        QCOMPARE(qwen3.config.headDim, 32);
        QCOMPARE(qwen3.tokenizer->kind(), TokenizerKind::TokenizerJson);
        QCOMPARE(qwen3.config.vocabSize, qwen3.tokenizer->vocabSize());
        QCOMPARE(qwen3.tokenizer->eosId(), qwen3.tokenizer->tokenToId("<|im_end|>"));
        QVERIFY(QFile::exists(QDir(qwen3.sourcePath).filePath(QStringLiteral("tokenizer_config.json"))));

        const LoadedModel llama3 = loadModel(starterModel(QStringLiteral("llama3-tiny"), QStringLiteral("llama3")));
        QCOMPARE(llama3.config.ropeScaling.type, QStringLiteral("llama3"));
        QCOMPARE(llama3.config.ropeTheta, 500000.0);
        QCOMPARE(llama3.tokenizer->bosId(), llama3.tokenizer->tokenToId("<|begin_of_text|>"));
        QVERIFY(!llama3.config.qkNorm);

        try {
            StarterModelOptions options;
            options.preset = QStringLiteral("qwen3-tiny");
            createStarterModel(m_dir.filePath(QStringLiteral("none")), options);
            QFAIL("qwen3-tiny was made without a tokenizer.json");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("tokenizer.json")), qPrintable(error.message()));
        }
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("none"))));
    }

    void trainingLowersTheValidationLoss_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("tokenizer");
        QTest::addColumn<QString>("mode");
        QTest::newRow("qwen3-tiny full") << "qwen3-tiny"
                                         << "qwen3"
                                         << "full";
        QTest::newRow("qwen3-tiny LoRA") << "qwen3-tiny"
                                         << "qwen3"
                                         << "instruction";
        QTest::newRow("llama3-tiny full") << "llama3-tiny"
                                          << "llama3"
                                          << "full";
        QTest::newRow("llama3-tiny LoRA") << "llama3-tiny"
                                          << "llama3"
                                          << "instruction";
    }
    void trainingLowersTheValidationLoss()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, preset);
        QFETCH(QString, tokenizer);
        QFETCH(QString, mode);
        const QString starter = starterModel(preset, tokenizer);
        if (mode == QLatin1String("full")) {
            train(preset, mode, starter);
            return;
        }
        // LoRA adapts a model that already knows something: the full run's export (a random base leaves the
        // adapters of a 64-wide model almost nothing to steer over 150k output rows).
        const QString base = m_dir.filePath(QStringLiteral("run-%1-full/export/model").arg(preset));
        if (!QFileInfo::exists(base))
            train(preset, QStringLiteral("full"), starter);
        train(preset, mode, base);
    }

private:
    void train(const QString& preset, const QString& mode, const QString& model)
    {
        TrainConfig config;
        config.applyModePreset(mode);
        config.model = model;
        config.trainFile = m_train;
        config.promptTemplate = QStringLiteral("model"); // the fixture's own chat template
        config.lossOn = QStringLiteral("response");
        config.valFraction = 0.25;
        config.maxLength = 96;
        config.batchSize = 4;
        config.learningRate = mode == QLatin1String("full") ? 3e-3 : 5e-2;
        config.warmupSteps = 1;
        config.samplePrompts = 0;
        config.loraRank = 8;
        config.loraAlpha = 16;
        config.loraDropout = 0.0;
        config.gradientCheckpointing = false;
        config.maxSteps = 8;
        config.evalEvery = 4;
        config.seed = 5;
        config.threads = 2;
        test::TrainingRecorder recorder;
        const QString runDir = m_dir.filePath(QStringLiteral("run-%1-%2").arg(preset, mode));
        const RunEndInfo end = test::trainNewRun(runDir, config, recorder);
        QCOMPARE(end.status, runOutcomeName(RunOutcome::Finished));
        QCOMPARE(recorder.valLosses.size(), size_t(2));
        qInfo("%s %s: validation loss %.4f -> %.4f", qPrintable(preset), qPrintable(mode), recorder.valLosses.front(),
              recorder.valLosses.back());
        QVERIFY2(recorder.valLosses.back() < recorder.valLosses.front() - 0.05,
                 qPrintable(QStringLiteral("%1 -> %2").arg(recorder.valLosses.front()).arg(recorder.valLosses.back())));
        if (mode != QLatin1String("full"))
            QVERIFY(recorder.start.trainableParameters < recorder.start.totalParameters / 10);

        // The exported model keeps the architecture and the tokenizer.json beside it, and generates what the
        // run's last checkpoint generates (reloaded from each, greedy, through the model's own template).
        LoadedModel exported = loadModel(end.exportPath);
        if (mode == QLatin1String("full")) {
            EvalModel checkpoint = loadEvalRunModel(runDir, QStringLiteral("latest"));
            ExampleRecord question;
            question.instruction = QStringLiteral("Name a fruit.");
            const PromptTemplate format = resolvePromptTemplate(QStringLiteral("model"), end.exportPath);
            SamplingOptions greedy;
            greedy.greedy = true;
            greedy.maxNewTokens = 12;
            greedy.stopAtEos = false;
            const std::vector<TokenId> prompt = encodePrompt(*exported.tokenizer, format, question);
            torch::NoGradGuard noGrad;
            const GenerationResult fromExport = generate(*exported.model, *exported.tokenizer, prompt, greedy);
            const GenerationResult fromCheckpoint =
                generate(*checkpoint.loaded.model, *checkpoint.loaded.tokenizer, prompt, greedy);
            QCOMPARE(fromExport.tokens.size(), size_t(12));
            QCOMPARE(fromExport.tokens, fromCheckpoint.tokens);
        }
        QCOMPARE(exported.config.architecture, preset.startsWith(QLatin1String("qwen3"))
                                                   ? QStringLiteral("Qwen3ForCausalLM")
                                                   : QStringLiteral("LlamaForCausalLM"));
        QCOMPARE(exported.tokenizer->kind(), TokenizerKind::TokenizerJson);
        QCOMPARE(exported.config.ropeScaling.type,
                 preset.startsWith(QLatin1String("llama3")) ? QStringLiteral("llama3") : QString());
    }
};

QTEST_GUILESS_MAIN(TestModernArchitectures)
#include "tst_modern_architectures.moc"
