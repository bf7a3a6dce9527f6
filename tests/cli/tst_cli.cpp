#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "common/json_file.h"
#include "support/test_support.h"

using namespace ft;
using test::runCli;

namespace {

// `bench train` on the tiny preset, one step of one row per mode, as JSON: quick enough for a test.
QStringList quickBenchTrain(const QString& modes, const QString& batch = QStringLiteral("1"))
{
    return {QStringLiteral("bench"),     QStringLiteral("train"),
            QStringLiteral("--preset"),  QStringLiteral("tiny"),
            QStringLiteral("--mode"),    modes,
            QStringLiteral("--batch"),   batch,
            QStringLiteral("--seq"),     QStringLiteral("32"),
            QStringLiteral("--steps"),   QStringLiteral("1"),
            QStringLiteral("--warmup"),  QStringLiteral("0"),
            QStringLiteral("--threads"), QStringLiteral("1"),
            QStringLiteral("--json")};
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set (run through ctest)"); }

    void helpAndVersion()
    {
        const auto help = runCli({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* command : {"info", "generate", "convert", "model", "eval", "report"})
            QVERIFY2(help.out.contains(command), command);
        const auto version = runCli({QStringLiteral("--version")});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("ftstudio-cli "));
    }
    void everySubcommandHasHelp_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("info") << QStringList{QStringLiteral("info"), QStringLiteral("--help")};
        QTest::newRow("generate") << QStringList{QStringLiteral("generate"), QStringLiteral("--help")};
        QTest::newRow("convert") << QStringList{QStringLiteral("convert"), QStringLiteral("--help")};
        QTest::newRow("model") << QStringList{QStringLiteral("model"), QStringLiteral("--help")};
        QTest::newRow("model new") << QStringList{QStringLiteral("model"), QStringLiteral("new"),
                                                  QStringLiteral("--help")};
        QTest::newRow("eval") << QStringList{QStringLiteral("eval"), QStringLiteral("--help")};
        QTest::newRow("eval compare") << QStringList{QStringLiteral("eval"), QStringLiteral("compare"),
                                                     QStringLiteral("--help")};
        QTest::newRow("report") << QStringList{QStringLiteral("report"), QStringLiteral("--help")};
        QTest::newRow("sweep") << QStringList{QStringLiteral("sweep"), QStringLiteral("--help")};
        QTest::newRow("sweep show") << QStringList{QStringLiteral("sweep"), QStringLiteral("show"),
                                                   QStringLiteral("--help")};
    }
    void everySubcommandHasHelp()
    {
        QFETCH(QStringList, arguments);
        const auto result = runCli(arguments);
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains("Usage:") || result.out.contains("usage"), result.out.constData());
    }
    void wrongUsageExitsTwo()
    {
        QCOMPARE(runCli({QStringLiteral("no-such-command")}).exitCode, 2);
        const auto missing = runCli({QStringLiteral("info")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("MODEL"));
        QCOMPARE(runCli({QStringLiteral("generate"), QStringLiteral("--bogus"), QStringLiteral("x")}).exitCode, 2);
    }
    void badModelPathIsNamed()
    {
        const auto result = runCli({QStringLiteral("info"), QStringLiteral("/nonexistent/model")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("/nonexistent/model"), result.err.constData());
    }
    void infoOnTheFixture()
    {
        FT_REQUIRE_SHARED();
        const auto result = runCli({QStringLiteral("info"), test::sharedPath(QStringLiteral("fixtures/stories260K/hf")),
                                    QStringLiteral("--json")});
        QCOMPARE(result.exitCode, 0);
        const QJsonObject info = QJsonDocument::fromJson(result.out).object();
        QCOMPARE(info[QStringLiteral("architecture")].toString(), QStringLiteral("LlamaForCausalLM"));
        QCOMPARE(info[QStringLiteral("vocab_size")].toInt(), 512);
        QCOMPARE(info[QStringLiteral("context_length")].toInt(), 512);
        QCOMPARE(info[QStringLiteral("tokenizer")].toObject()[QStringLiteral("pieces")].toInt(), 512);
    }
    void convertThenGenerateGreedy()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("converted"));
        const auto convert = runCli(
            {QStringLiteral("convert"), test::sharedPath(QStringLiteral("fixtures/stories260K/stories260K.bin")), out});
        QVERIFY2(convert.exitCode == 0, convert.err.constData());
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("model.safetensors"))));
        QCOMPARE(runCli({QStringLiteral("convert"),
                         test::sharedPath(QStringLiteral("fixtures/stories260K/stories260K.bin")), out})
                     .exitCode,
                 1);

        const QJsonObject reference = readJsonObjectFile(test::sharedPath(
            QStringLiteral("fixtures/stories260K/reference.json")))[QStringLiteral("greedy")]
                                          .toObject()[QStringLiteral("prompt_64_positions")]
                                          .toObject();
        const auto generated = runCli({QStringLiteral("generate"), out, QStringLiteral("--prompt"),
                                       reference[QStringLiteral("prompt")].toString(), QStringLiteral("--greedy"),
                                       QStringLiteral("--max-tokens"), QStringLiteral("54")});
        QVERIFY2(generated.exitCode == 0, generated.err.constData());
        QCOMPARE(QString::fromUtf8(generated.out).trimmed(), reference[QStringLiteral("text")].toString());
    }
    void generateStreamsEventsWithATemplate()
    {
        FT_REQUIRE_SHARED();
        const auto result = runCli(
            {QStringLiteral("generate"), test::sharedPath(QStringLiteral("fixtures/stories260K/hf")),
             QStringLiteral("--prompt"), QStringLiteral("Tell me a story."), QStringLiteral("--template"),
             QStringLiteral("alpaca"), QStringLiteral("--events"), QStringLiteral("jsonl"), QStringLiteral("--greedy"),
             QStringLiteral("--max-tokens"), QStringLiteral("12"), QStringLiteral("--no-stop")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QList<QByteArray> lines = result.out.trimmed().split('\n');
        QString streamed;
        for (int i = 0; i + 1 < lines.size(); ++i) {
            const QJsonObject token = QJsonDocument::fromJson(lines[i]).object();
            QCOMPARE(token[QStringLiteral("event")].toString(), QStringLiteral("token"));
            streamed += token[QStringLiteral("text")].toString();
        }
        const QJsonObject finished = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(finished[QStringLiteral("event")].toString(), QStringLiteral("finished"));
        QCOMPARE(finished[QStringLiteral("new_tokens")].toInt(), 12);
        QCOMPARE(streamed, finished[QStringLiteral("text")].toString());
        QVERIFY(!streamed.isEmpty());
    }
    // The Playground's chat: a conversation is formatted turn by turn with the template; one user turn
    // is the same prompt as --prompt; earlier turns are part of the prompt; a malformed one is refused.
    void generateAnswersAConversation()
    {
        FT_REQUIRE_SHARED();
        const QString model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        auto generate = [&](const QStringList& extra, const QByteArray& input = {}) {
            return runCli(QStringList{QStringLiteral("generate"), model, QStringLiteral("--greedy"),
                                      QStringLiteral("--max-tokens"), QStringLiteral("8"), QStringLiteral("--json")} +
                              extra,
                          120000, input);
        };
        auto conversation = [](const QStringList& texts) {
            QJsonArray turns;
            for (int i = 0; i < texts.size(); ++i)
                turns.append(
                    QJsonObject{{QStringLiteral("role"), i % 2 ? QStringLiteral("assistant") : QStringLiteral("user")},
                                {QStringLiteral("content"), texts[i]}});
            return QJsonDocument(QJsonObject{{QStringLiteral("turns"), turns}}).toJson();
        };
        const QStringList chatml{QStringLiteral("--template"), QStringLiteral("chatml")};
        const QStringList fromStdin{QStringLiteral("--conversation"), QStringLiteral("-")};
        const auto single =
            generate(chatml + QStringList{QStringLiteral("--prompt"), QStringLiteral("Tell me a story.")});
        QVERIFY2(single.exitCode == 0, single.err.constData());
        const auto oneTurn = generate(chatml + fromStdin, conversation({QStringLiteral("Tell me a story.")}));
        QVERIFY2(oneTurn.exitCode == 0, oneTurn.err.constData());
        const QJsonObject a = QJsonDocument::fromJson(single.out).object();
        const QJsonObject b = QJsonDocument::fromJson(oneTurn.out).object();
        QCOMPARE(b[QStringLiteral("prompt_tokens")].toInt(), a[QStringLiteral("prompt_tokens")].toInt());
        QCOMPARE(b[QStringLiteral("text")].toString(), a[QStringLiteral("text")].toString());

        auto promptTokens = [&](const QStringList& texts, const QStringList& format) {
            const auto result = generate(format + fromStdin, conversation(texts));
            return result.exitCode == 0
                       ? QJsonDocument::fromJson(result.out).object()[QStringLiteral("prompt_tokens")].toInt()
                       : -1;
        };
        const QStringList shortHistory{QStringLiteral("Hi"), QStringLiteral("Hello."),
                                       QStringLiteral("Tell me a story.")};
        const QStringList longHistory{QStringLiteral("Hi"), QStringLiteral("Hello. I like dogs and cats and birds."),
                                      QStringLiteral("Tell me a story.")};
        const int shortTokens = promptTokens(shortHistory, chatml);
        QVERIFY(shortTokens > a[QStringLiteral("prompt_tokens")].toInt());
        QVERIFY(promptTokens(longHistory, chatml) > shortTokens);
        // No template: the turns are one raw text, each continuing the one before; one turn is --prompt.
        const auto raw = generate({QStringLiteral("--prompt"), QStringLiteral("Once upon a time")});
        const auto rawTurn = generate(fromStdin, conversation({QStringLiteral("Once upon a time")}));
        QCOMPARE(QJsonDocument::fromJson(rawTurn.out).object()[QStringLiteral("text")].toString(),
                 QJsonDocument::fromJson(raw.out).object()[QStringLiteral("text")].toString());
        QCOMPARE(QJsonDocument::fromJson(raw.out).object()[QStringLiteral("template")].toString(),
                 QStringLiteral("none"));
        QCOMPARE(promptTokens({QStringLiteral("Once upon a time"), QStringLiteral(" there was a cat."),
                               QStringLiteral(" The end.")},
                              {}),
                 promptTokens({QStringLiteral("Once upon a time there was a cat. The end.")}, {}));

        const auto endsWithAnswer =
            generate(chatml + fromStdin, conversation({QStringLiteral("Hi"), QStringLiteral("Hello.")}));
        QCOMPARE(endsWithAnswer.exitCode, 1);
        QVERIFY2(endsWithAnswer.err.contains("standard input") && endsWithAnswer.err.contains("user turn"),
                 endsWithAnswer.err.constData());
        const auto both = generate(fromStdin + QStringList{QStringLiteral("--prompt"), QStringLiteral("x")},
                                   conversation({QStringLiteral("Hi")}));
        QCOMPARE(both.exitCode, 2);
    }
    void starterModelGenerates()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("starter"));
        const auto created = runCli(
            {QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"), QStringLiteral("tiny"), out});
        QVERIFY2(created.exitCode == 0, created.err.constData());
        const auto info = runCli({QStringLiteral("info"), out, QStringLiteral("--json")});
        QCOMPARE(info.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(json[QStringLiteral("hidden_size")].toInt(), 64);
        QCOMPARE(json[QStringLiteral("vocab_size")].toInt(),
                 json[QStringLiteral("tokenizer")].toObject()[QStringLiteral("pieces")].toInt());
        const auto generated = runCli({QStringLiteral("generate"), out, QStringLiteral("--prompt"),
                                       QStringLiteral("Hello"), QStringLiteral("--max-tokens"), QStringLiteral("8"),
                                       QStringLiteral("--no-stop"), QStringLiteral("--json")});
        QVERIFY2(generated.exitCode == 0, generated.err.constData());
        QCOMPARE(QJsonDocument::fromJson(generated.out).object()[QStringLiteral("new_tokens")].toInt(), 8);
        QCOMPARE(runCli({QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"),
                         QStringLiteral("huge"), out, QStringLiteral("--force")})
                     .exitCode,
                 1);
    }
    // sweep: a configuration with two learning rates, each trial a run; the JSON record names the best,
    // `sweep show` reads it back, and a value that does not fit is refused before anything runs.
    void sweepTwoRates()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("starter"));
        QCOMPARE(runCli({QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"),
                         QStringLiteral("tiny"), model})
                     .exitCode,
                 0);
        QFile train(dir.filePath(QStringLiteral("train.jsonl")));
        QVERIFY(train.open(QIODevice::WriteOnly));
        for (int i = 0; i < 20; ++i)
            train.write(
                QStringLiteral("{\"instruction\": \"Count to %1.\", \"response\": \"Done: %1.\"}\n").arg(i).toUtf8());
        train.close();
        QFile config(dir.filePath(QStringLiteral("base.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QJsonDocument(QJsonObject{{QStringLiteral("model"), model},
                                               {QStringLiteral("train_file"), train.fileName()},
                                               {QStringLiteral("max_length"), 128},
                                               {QStringLiteral("eval_every"), 2},
                                               {QStringLiteral("sample_prompts"), 0},
                                               {QStringLiteral("threads"), 1}})
                         .toJson());
        config.close();
        const QString runs = dir.filePath(QStringLiteral("runs"));
        const auto swept = runCli({QStringLiteral("sweep"), config.fileName(), QStringLiteral("--param"),
                                   QStringLiteral("lr=1e-2,1e-5"), QStringLiteral("--steps"), QStringLiteral("4"),
                                   QStringLiteral("--pruning"), QStringLiteral("none"), QStringLiteral("--runs"), runs,
                                   QStringLiteral("--json")},
                                  300000);
        QVERIFY2(swept.exitCode == 0, swept.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(swept.out).object();
        const QJsonArray trials = json[QStringLiteral("trials")].toArray();
        QCOMPARE(trials.size(), 2);
        for (const QJsonValue& t : trials)
            QCOMPARE(t[QStringLiteral("status")].toString(), QStringLiteral("finished"));
        const int best = json[QStringLiteral("best_trial")].toInt();
        QVERIFY(best == 1 || best == 2);
        QVERIFY(trials[best - 1][QStringLiteral("objective")].toDouble() <=
                trials[2 - best][QStringLiteral("objective")].toDouble());
        const auto shown = runCli({QStringLiteral("sweep"), QStringLiteral("show"),
                                   json[QStringLiteral("folder")].toString(), QStringLiteral("--json")});
        QCOMPARE(shown.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(shown.out).object()[QStringLiteral("best_trial")].toInt(), best);

        const auto refused = runCli({QStringLiteral("sweep"), config.fileName(), QStringLiteral("--param"),
                                     QStringLiteral("batch=4,0"), QStringLiteral("--runs"), runs});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("\"batch_size\" must be between 1 and 4096"), refused.err.constData());
        // A metric objective is measured by evaluations kept in a workspace: refused without one.
        const auto noWorkspace = runCli({QStringLiteral("sweep"), config.fileName(), QStringLiteral("--param"),
                                         QStringLiteral("lr=1e-3,1e-4"), QStringLiteral("--runs"), runs,
                                         QStringLiteral("--objective"), QStringLiteral("rouge-l")});
        QCOMPARE(noWorkspace.exitCode, 1);
        QVERIFY2(noWorkspace.err.contains("workspace"), noWorkspace.err.constData());
        // A resumed sweep goes on as it was started.
        const auto changed =
            runCli({QStringLiteral("sweep"), QStringLiteral("--resume"), json[QStringLiteral("folder")].toString(),
                    QStringLiteral("--objective"), QStringLiteral("bleu")});
        QCOMPARE(changed.exitCode, 2);
        QVERIFY2(changed.err.contains("--objective cannot change a sweep being resumed"), changed.err.constData());
    }
    // bench train with several modes: each measured in the same process, stepped in turn, and
    // compared with the first.
    void benchTrainComparesModes()
    {
        const auto result =
            runCli({QStringLiteral("bench"), QStringLiteral("train"), QStringLiteral("--preset"),
                    QStringLiteral("tiny"), QStringLiteral("--mode"), QStringLiteral("full,instruction"),
                    QStringLiteral("--batch"), QStringLiteral("2"), QStringLiteral("--seq"), QStringLiteral("32"),
                    QStringLiteral("--steps"), QStringLiteral("2"), QStringLiteral("--warmup"), QStringLiteral("0"),
                    QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(result.out).object();
        const QJsonArray modes = json[QStringLiteral("modes")].toArray();
        QCOMPARE(modes.size(), 2);
        QCOMPARE(modes[0].toObject()[QStringLiteral("mode")].toString(), QStringLiteral("full"));
        QCOMPARE(modes[1].toObject()[QStringLiteral("mode")].toString(), QStringLiteral("instruction"));
        QVERIFY(modes[1].toObject()[QStringLiteral("trainable_parameters")].toDouble() <
                modes[0].toObject()[QStringLiteral("trainable_parameters")].toDouble());
        const QJsonObject ratios = json[QStringLiteral("tokens_per_second_vs_first")].toObject();
        QCOMPARE(ratios[QStringLiteral("full")].toDouble(), 1.0);
        const double expected = modes[1].toObject()[QStringLiteral("tokens_per_second")].toDouble() /
                                modes[0].toObject()[QStringLiteral("tokens_per_second")].toDouble();
        QVERIFY(qFuzzyCompare(ratios[QStringLiteral("instruction")].toDouble(), expected));
        QCOMPARE(
            runCli({QStringLiteral("bench"), QStringLiteral("train"), QStringLiteral("--mode"), QStringLiteral(",")})
                .exitCode,
            2);
    }
    // One mode at two LoRA dropouts, stepped in turn: the cases are told apart by their dropout.
    void benchTrainComparesDropouts()
    {
        const QStringList common = quickBenchTrain(QStringLiteral("instruction,instruction"), QStringLiteral("2"));
        const auto result = runCli(common + QStringList{QStringLiteral("--lora-dropout"), QStringLiteral("0.05,0")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(result.out).object();
        const QJsonArray modes = json[QStringLiteral("modes")].toArray();
        QCOMPARE(modes.size(), 2);
        QCOMPARE(modes[0].toObject()[QStringLiteral("lora_dropout")].toDouble(), 0.05);
        QCOMPARE(modes[1].toObject()[QStringLiteral("lora_dropout")].toDouble(), 0.0);
        const QJsonObject ratios = json[QStringLiteral("tokens_per_second_vs_first")].toObject();
        QCOMPARE(ratios[QStringLiteral("instruction, dropout 0.05")].toDouble(), 1.0);
        QVERIFY(ratios.contains(QStringLiteral("instruction, dropout 0")));
        const auto mismatched =
            runCli(common + QStringList{QStringLiteral("--lora-dropout"), QStringLiteral("0.05,0,0.1")});
        QCOMPARE(mismatched.exitCode, 2);
        QVERIFY(mismatched.err.contains("one per mode"));
    }
    // QLoRA's preset checkpoints 60 % of the layers (3 of tiny's 4, rounded up); a share or a count
    // given per mode overrides it, and the cases are named by what they checkpoint.
    void benchTrainComparesCheckpointedLayers()
    {
        const QStringList common = quickBenchTrain(QStringLiteral("qlora,qlora,qlora"));
        const auto result =
            runCli(common + QStringList{QStringLiteral("--checkpoint-fraction"), QStringLiteral("1,0.6,0.6"),
                                        QStringLiteral("--checkpoint-layers"), QStringLiteral("0,0,1")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonArray modes = QJsonDocument::fromJson(result.out).object()[QStringLiteral("modes")].toArray();
        QCOMPARE(modes.size(), 3);
        QCOMPARE(modes[0].toObject()[QStringLiteral("checkpointed_layers")].toInt(), 4);
        QCOMPARE(modes[1].toObject()[QStringLiteral("checkpointed_layers")].toInt(), 3);
        QCOMPARE(modes[2].toObject()[QStringLiteral("checkpointed_layers")].toInt(), 1);
        QCOMPARE(modes[1].toObject()[QStringLiteral("label")].toString(),
                 QStringLiteral("qlora, checkpointing 3 of 4 layers"));
        const auto preset = runCli(quickBenchTrain(QStringLiteral("qlora")));
        QVERIFY2(preset.exitCode == 0, preset.err.constData());
        QCOMPARE(QJsonDocument::fromJson(preset.out).object().value(QStringLiteral("checkpointed_layers")).toInt(),
                 3); // one mode: one object
        const auto outOfRange =
            runCli(common + QStringList{QStringLiteral("--checkpoint-fraction"), QStringLiteral("0")});
        QCOMPARE(outOfRange.exitCode, 2);
        QVERIFY(outOfRange.err.contains("--checkpoint-fraction"));
    }
};

QTEST_MAIN(TestCli)
#include "tst_cli.moc"
