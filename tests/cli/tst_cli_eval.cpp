// The must-shows, end to end through ftstudio-cli on the stories260K fixture: two Instruction
// (LoRA) runs trained on a workspace dataset, each evaluated against its base model on the validation
// split; the results stored and shown by `runs show` and `eval compare`; the base model's evaluation
// cached and reused; the event stream; cancelling; and the report on the two runs.

#include <cmath>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include "cli_runner.h"
#include "common/json_file.h"
#include "store/evaluation_store.h"
#include "store/workspace.h"
#include "support/test_support.h"

using namespace ft;
using test::CliResult;

namespace {

QJsonObject json(const CliResult& result) { return QJsonDocument::fromJson(result.out).object(); }

QString number(double value) { return QString::number(value, 'g', 6); }

// Little stories, in the model's own domain.
QString writeStories(const QString& dir)
{
    const QStringList names{QStringLiteral("Lily"), QStringLiteral("Tom"), QStringLiteral("Ben"),
                            QStringLiteral("Mia"),  QStringLiteral("Sue"), QStringLiteral("Max"),
                            QStringLiteral("Anna"), QStringLiteral("Tim")};
    const QStringList things{QStringLiteral("ball"), QStringLiteral("cat"),  QStringLiteral("dog"),
                             QStringLiteral("tree"), QStringLiteral("cake"), QStringLiteral("boat"),
                             QStringLiteral("bird"), QStringLiteral("toy"),  QStringLiteral("kite"),
                             QStringLiteral("box")};
    const QStringList feelings{QStringLiteral("happy"), QStringLiteral("sad"), QStringLiteral("surprised"),
                               QStringLiteral("proud")};
    const QString path = QDir(dir).filePath(QStringLiteral("stories.jsonl"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    for (int i = 0; i < 80; ++i) {
        const QString name = names[i % names.size()];
        const QString thing = things[(i * 3) % things.size()];
        const QJsonObject record{
            {QStringLiteral("instruction"), QStringLiteral("Write a short story about %1 and a %2.").arg(name, thing)},
            {QStringLiteral("response"),
             QStringLiteral("Once upon a time, there was a little child named %1. %1 had a big %2. One day, %1 "
                            "played with the %2 in the park. %1 was very %3.")
                 .arg(name, thing, feelings[i % feelings.size()])}};
        file.write(QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n');
    }
    return path;
}

double metric(const QJsonObject& result, const char* name)
{
    return result[QStringLiteral("metrics")][QLatin1String(name)].toDouble();
}

} // namespace

class TestCliEval : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_workspace;
    QString m_model;
    QString m_first; // run ids as text
    QString m_second;
    QJsonObject m_firstEval;

    CliResult cli(QStringList args, const QByteArray& input = {})
    {
        args << QStringLiteral("--workspace") << m_workspace;
        return test::runCli(args, 300000, input);
    }

    QString train(const QString& name, const QString& lr, const QString& mode = QStringLiteral("instruction"))
    {
        const CliResult trained = cli({QStringLiteral("train"),
                                       QStringLiteral("--mode"),
                                       mode,
                                       QStringLiteral("--model"),
                                       m_model,
                                       QStringLiteral("--dataset"),
                                       QStringLiteral("stories"),
                                       QStringLiteral("--name"),
                                       name,
                                       QStringLiteral("--steps"),
                                       QStringLiteral("8"),
                                       QStringLiteral("--lr"),
                                       lr,
                                       QStringLiteral("--max-length"),
                                       QStringLiteral("128"),
                                       QStringLiteral("--batch-size"),
                                       QStringLiteral("4"),
                                       QStringLiteral("--set"),
                                       QStringLiteral("eval_every=4"),
                                       QStringLiteral("--set"),
                                       QStringLiteral("sample_prompts=0"),
                                       QStringLiteral("--threads"),
                                       QStringLiteral("1")});
        if (trained.exitCode != 0)
            qWarning() << trained.err;
        const QJsonArray runs = json(cli(
            {QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--json")}))[QStringLiteral("runs")]
                                    .toArray();
        for (const QJsonValue& run : runs)
            if (run[QStringLiteral("name")].toString() == name &&
                run[QStringLiteral("status")].toString() == QLatin1String("finished"))
                return QString::number(run[QStringLiteral("id")].toInteger());
        return {};
    }

    // `generate MODEL... --prompt "Write a short story about Tom." --greedy --max-tokens 16 --json`.
    static CliResult generateStory(const QStringList& model)
    {
        return test::runCli(
            QStringList{QStringLiteral("generate")} + model +
                QStringList{QStringLiteral("--prompt"), QStringLiteral("Write a short story about Tom."),
                            QStringLiteral("--greedy"), QStringLiteral("--max-tokens"), QStringLiteral("16"),
                            QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--json")},
            300000);
    }

private slots:
    void initTestCase()
    {
        FT_REQUIRE_SHARED();
        QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set (run through ctest)");
        m_model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        m_workspace = m_dir.filePath(QStringLiteral("ws"));
        const CliResult imported = cli({QStringLiteral("dataset"), QStringLiteral("import"), writeStories(m_dir.path()),
                                        QStringLiteral("--name"), QStringLiteral("stories")});
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        const CliResult split = cli({QStringLiteral("dataset"), QStringLiteral("split"), QStringLiteral("stories"),
                                     QStringLiteral("--val"), QStringLiteral("0.25")});
        QVERIFY2(split.exitCode == 0, split.err.constData());
        m_first = train(QStringLiteral("lora slow"), QStringLiteral("0.002"));
        m_second = train(QStringLiteral("lora fast"), QStringLiteral("0.02"));
        QVERIFY(!m_first.isEmpty() && !m_second.isEmpty());
    }

    void runAgainstItsBase()
    {
        const CliResult result =
            cli({QStringLiteral("eval"), m_first, QStringLiteral("--base"), QStringLiteral("--limit"),
                 QStringLiteral("8"), QStringLiteral("--max-tokens"), QStringLiteral("24"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        m_firstEval = json(result);
        QCOMPARE(m_firstEval[QStringLiteral("split")].toString(), QStringLiteral("val"));
        QCOMPARE(m_firstEval[QStringLiteral("examples")].toInt(), 8);
        QCOMPARE(m_firstEval[QStringLiteral("available")].toInt(), 20);
        QCOMPARE(m_firstEval[QStringLiteral("checkpoint")].toString(), QStringLiteral("final"));
        const QJsonArray results = m_firstEval[QStringLiteral("results")].toArray();
        QCOMPARE(results.size(), 2);
        const QJsonObject run = results[0].toObject();
        const QJsonObject base = results[1].toObject();
        QCOMPARE(run[QStringLiteral("target")].toString(), QStringLiteral("run"));
        QCOMPARE(base[QStringLiteral("target")].toString(), QStringLiteral("base"));
        QVERIFY(run[QStringLiteral("stored")].toBool() && base[QStringLiteral("stored")].toBool());
        QVERIFY(!base[QStringLiteral("cached")].toBool());
        for (const char* name :
             {"loss", "perplexity", "bleu", "rouge-l", "exact-match", "f1", "response-words", "response-tokens"}) {
            QVERIFY2(run[QStringLiteral("metrics")].toObject().contains(QLatin1String(name)), name);
            QVERIFY2(base[QStringLiteral("metrics")].toObject().contains(QLatin1String(name)), name);
        }
        QVERIFY(std::fabs(metric(run, "perplexity") - std::exp(metric(run, "loss"))) <
                1e-6 * metric(run, "perplexity"));
        // Training on these stories lowered the loss on the held-out ones.
        QVERIFY2(metric(run, "loss") < metric(base, "loss"),
                 qPrintable(QStringLiteral("run %1, base %2").arg(metric(run, "loss")).arg(metric(base, "loss"))));
        qInfo("stories260K, 8 validation examples: base loss %.4f rouge-l %.4f bleu %.4f | run loss %.4f rouge-l %.4f "
              "bleu %.4f",
              metric(base, "loss"), metric(base, "rouge-l"), metric(base, "bleu"), metric(run, "loss"),
              metric(run, "rouge-l"), metric(run, "bleu"));

        // In the store, with every example's output.
        const Workspace workspace = Workspace::open(m_workspace);
        EvaluationStore store(workspace.database());
        const auto evaluation =
            store.runEvaluation(m_first.toLongLong(), QStringLiteral("final"), QStringLiteral("val"));
        QVERIFY(evaluation);
        QCOMPARE(store.outputs(*evaluation).size(), size_t(8));
        QCOMPARE(evaluation->datasetName, QStringLiteral("stories"));
        const auto cached = store.baseEvaluationFor(*evaluation);
        QVERIFY(cached);
        QCOMPARE(cached->metrics.at(QStringLiteral("rouge-l")), metric(base, "rouge-l"));

        // The second run shares the base, the examples and the settings: the base is not evaluated again.
        const CliResult second =
            cli({QStringLiteral("eval"), m_second, QStringLiteral("--base"), QStringLiteral("--limit"),
                 QStringLiteral("8"), QStringLiteral("--max-tokens"), QStringLiteral("24"), QStringLiteral("--json")});
        QVERIFY2(second.exitCode == 0, second.err.constData());
        const QJsonObject secondBase = json(second)[QStringLiteral("results")].toArray()[1].toObject();
        QVERIFY(secondBase[QStringLiteral("cached")].toBool());
        QCOMPARE(metric(secondBase, "bleu"), metric(base, "bleu"));
        QCOMPARE(store.baseEvaluations().size(), size_t(1));
    }

    void runsShowHasTheNumbers()
    {
        const QJsonObject run = m_firstEval[QStringLiteral("results")].toArray()[0].toObject();
        const CliResult shown = cli({QStringLiteral("runs"), QStringLiteral("show"), m_first});
        QVERIFY2(shown.exitCode == 0, shown.err.constData());
        for (const char* name : {"loss", "bleu", "rouge-l", "f1"}) {
            const QString line =
                QStringLiteral("final / val  %1 = %2").arg(QLatin1String(name), number(metric(run, name)));
            QVERIFY2(shown.out.contains(line.toUtf8()),
                     qPrintable(line + QStringLiteral("\n") + QString::fromUtf8(shown.out)));
        }
    }

    void compareSideBySide()
    {
        const CliResult compared = cli({QStringLiteral("eval"), QStringLiteral("compare"), m_first, m_second,
                                        QStringLiteral("--base"), QStringLiteral("--json")});
        QVERIFY2(compared.exitCode == 0, compared.err.constData());
        const QJsonObject table = json(compared);
        const QJsonArray columns = table[QStringLiteral("columns")].toArray();
        QCOMPARE(columns.size(), 3);
        QCOMPARE(columns[0][QStringLiteral("kind")].toString(), QStringLiteral("base"));
        QCOMPARE(columns[1][QStringLiteral("run_id")].toInteger(), m_first.toLongLong());
        const QJsonArray rows = table[QStringLiteral("rows")].toArray();
        QCOMPARE(rows.size(), 8);
        double previous = 1e9;
        for (const QJsonValue& row : rows) {
            QCOMPARE(row[QStringLiteral("outputs")].toArray().size(), 3);
            QVERIFY(!row[QStringLiteral("prompt")].toString().isEmpty() &&
                    !row[QStringLiteral("reference")].toString().isEmpty());
            const double difference = std::fabs(row[QStringLiteral("difference")].toDouble());
            QVERIFY(difference <= previous + 1e-12); // largest change first
            previous = difference;
        }
        // The table for people: the columns' numbers and each example's outputs.
        const CliResult text = cli({QStringLiteral("eval"), QStringLiteral("compare"), m_first, m_second,
                                    QStringLiteral("--base"), QStringLiteral("--limit"), QStringLiteral("3")});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        const QJsonObject run = m_firstEval[QStringLiteral("results")].toArray()[0].toObject();
        const QJsonObject base = m_firstEval[QStringLiteral("results")].toArray()[1].toObject();
        for (const QString& expected :
             {number(metric(run, "rouge-l")), number(metric(base, "rouge-l")), number(metric(run, "loss")),
              QStringLiteral("reference"), QStringLiteral("base hf"), QStringLiteral("(5 more examples")})
            QVERIFY2(text.out.contains(expected.toUtf8()),
                     qPrintable(expected + QStringLiteral("\n") + QString::fromUtf8(text.out)));
        QCOMPARE(cli({QStringLiteral("eval"), QStringLiteral("compare"), m_first + QStringLiteral("@step-4")}).exitCode,
                 1); // not evaluated
    }

    void bestCheckpointEvaluatesWithItsAdapters()
    {
        // The loss of the best LoRA checkpoint, rebuilt from the run's configuration, is the trainer's.
        const CliResult result =
            cli({QStringLiteral("eval"), m_first, QStringLiteral("--checkpoint"), QStringLiteral("best"),
                 QStringLiteral("--metrics"), QStringLiteral("loss"), QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const double loss = metric(json(result)[QStringLiteral("results")].toArray()[0].toObject(), "loss");
        const double best = json(cli({QStringLiteral("runs"), QStringLiteral("show"), m_first,
                                      QStringLiteral("--json")}))[QStringLiteral("best_val_loss")]
                                .toDouble();
        QVERIFY2(std::fabs(loss - best) < 1e-4 * best, qPrintable(QStringLiteral("%1 vs %2").arg(loss).arg(best)));
    }

    void generateWithTheRunsAdapter()
    {
        // The adapter on its base generates what the merged export generates (greedy); a folder that is
        // not an adapter is refused with its name.
        const QString runDir = json(cli({QStringLiteral("runs"), QStringLiteral("show"), m_first,
                                         QStringLiteral("--json")}))[QStringLiteral("run_dir")]
                                   .toString();
        QVERIFY(!runDir.isEmpty());
        auto generate = [](const QStringList& model) {
            return test::runCli(QStringList{QStringLiteral("generate")} + model +
                                    QStringList{QStringLiteral("--prompt"), QStringLiteral("Once upon a time"),
                                                QStringLiteral("--greedy"), QStringLiteral("--max-tokens"),
                                                QStringLiteral("16"), QStringLiteral("--threads"), QStringLiteral("1")},
                                300000);
        };
        const CliResult merged = generate({runDir + QStringLiteral("/export/model")});
        QVERIFY2(merged.exitCode == 0, merged.err.constData());
        const CliResult adapted =
            generate({m_model, QStringLiteral("--adapter"), runDir + QStringLiteral("/export/adapter")});
        QVERIFY2(adapted.exitCode == 0, adapted.err.constData());
        QVERIFY(!adapted.out.trimmed().isEmpty());
        QCOMPARE(adapted.out, merged.out);
        const CliResult wrong = generate({m_model, QStringLiteral("--adapter"), m_model});
        QVERIFY(wrong.exitCode != 0);
        QVERIFY2(wrong.err.contains("adapter_config.json"), wrong.err.constData());
    }

    // The Playground offers a run's checkpoints: a run folder generates as its export with the run's own
    // template by default; a checkpoint by name; a missing one is refused with the ones that exist.
    void generateFromARunFolder()
    {
        const QString runDir = json(cli({QStringLiteral("runs"), QStringLiteral("show"), m_first,
                                         QStringLiteral("--json")}))[QStringLiteral("run_dir")]
                                   .toString();
        QVERIFY(!runDir.isEmpty());
        const QString trainedWith =
            readJsonObjectFile(runDir + QStringLiteral("/config.json"))[QStringLiteral("template")].toString();
        QVERIFY(!trainedWith.isEmpty());
        const CliResult run = generateStory({runDir});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const CliResult exported =
            generateStory({runDir + QStringLiteral("/export/model"), QStringLiteral("--template"), trainedWith});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QCOMPARE(json(run)[QStringLiteral("text")].toString(), json(exported)[QStringLiteral("text")].toString());
        QCOMPARE(json(run)[QStringLiteral("prompt_tokens")].toInt(),
                 json(exported)[QStringLiteral("prompt_tokens")].toInt());
        const CliResult raw = generateStory({runDir, QStringLiteral("--template"), QStringLiteral("none")});
        QVERIFY2(raw.exitCode == 0, raw.err.constData());
        QVERIFY(json(raw)[QStringLiteral("prompt_tokens")].toInt() <
                json(run)[QStringLiteral("prompt_tokens")].toInt());

        const CliResult best = generateStory({runDir, QStringLiteral("--checkpoint"), QStringLiteral("best")});
        QVERIFY2(best.exitCode == 0, best.err.constData());
        QCOMPARE(json(best)[QStringLiteral("new_tokens")].toInt() > 0, true);
        const CliResult missing = generateStory({runDir, QStringLiteral("--checkpoint"), QStringLiteral("step-99999")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("step-99999") && missing.err.contains("checkpoints:"), missing.err.constData());
    }

    // A prompt-tuned run generates as its soft prompt on the base (the run folder and --adapter alike; that
    // the prompt changes the logits is tst_prompt_tuning's) and is refused by the GGUF export, whose format
    // has no place for a soft prompt.
    void promptTunedRun()
    {
        const QString id = train(QStringLiteral("prompt"), QStringLiteral("0.03"), QStringLiteral("prompt"));
        QVERIFY(!id.isEmpty());
        const QString runDir = json(cli(
            {QStringLiteral("runs"), QStringLiteral("show"), id, QStringLiteral("--json")}))[QStringLiteral("run_dir")]
                                   .toString();
        QVERIFY(QFile::exists(runDir + QStringLiteral("/export/adapter/adapter_config.json")));
        QVERIFY(!QFile::exists(runDir + QStringLiteral("/export/model")));
        const QString trainedWith =
            readJsonObjectFile(runDir + QStringLiteral("/config.json"))[QStringLiteral("template")].toString();
        const CliResult run = generateStory({runDir});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const CliResult adapted =
            generateStory({m_model, QStringLiteral("--adapter"), runDir + QStringLiteral("/export/adapter"),
                           QStringLiteral("--template"), trainedWith});
        QVERIFY2(adapted.exitCode == 0, adapted.err.constData());
        QCOMPARE(json(run)[QStringLiteral("text")].toString(), json(adapted)[QStringLiteral("text")].toString());

        const QString gguf = m_dir.filePath(QStringLiteral("prompt.gguf"));
        const CliResult exported = cli({QStringLiteral("export"), runDir, QStringLiteral("--gguf"), gguf});
        QCOMPARE(exported.exitCode, 1);
        QVERIFY2(exported.err.contains("prompt-tuned") && exported.err.contains(runDir.toUtf8()),
                 exported.err.constData());
        QVERIFY(!QFile::exists(gguf));
    }

    void baseModelDirectlyIsCached()
    {
        // The base model on the dataset's current val split: the same examples the runs froze. With the
        // runs' settings the cached evaluation is found; with other settings it is a new one, then cached.
        const QStringList args{QStringLiteral("eval"),         m_model,
                               QStringLiteral("--dataset"),    QStringLiteral("stories"),
                               QStringLiteral("--limit"),      QStringLiteral("8"),
                               QStringLiteral("--max-tokens"), QStringLiteral("24"),
                               QStringLiteral("--json")};
        const CliResult same = cli(args + QStringList{QStringLiteral("--max-length"), QStringLiteral("128")});
        QVERIFY2(same.exitCode == 0, same.err.constData());
        QVERIFY(json(same)[QStringLiteral("results")].toArray()[0][QStringLiteral("cached")].toBool());
        const CliResult other = cli(args);
        QVERIFY2(other.exitCode == 0, other.err.constData());
        QVERIFY(!json(other)[QStringLiteral("results")].toArray()[0][QStringLiteral("cached")].toBool());
        QVERIFY(json(cli(args))[QStringLiteral("results")].toArray()[0][QStringLiteral("cached")].toBool());
        QCOMPARE(cli({QStringLiteral("eval"), m_model}).exitCode, 1); // a model needs --dataset or --file
    }

    void eventStream()
    {
        const CliResult result =
            cli({QStringLiteral("eval"), m_first, QStringLiteral("--checkpoint"), QStringLiteral("step-4"),
                 QStringLiteral("--limit"), QStringLiteral("3"), QStringLiteral("--max-tokens"), QStringLiteral("8"),
                 QStringLiteral("--events"), QStringLiteral("jsonl")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QStringList names;
        QStringList phases;
        int examples = 0;
        for (const QByteArray& line : result.out.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonObject event = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            QVERIFY(event.contains(QStringLiteral("time")));
            names << event[QStringLiteral("event")].toString();
            if (names.back() == QLatin1String("progress"))
                phases << event[QStringLiteral("phase")].toString();
            if (names.back() == QLatin1String("example")) {
                ++examples;
                QVERIFY(event[QStringLiteral("scores")].toObject().contains(QStringLiteral("rouge-l")));
                QCOMPARE(event[QStringLiteral("target")].toString(), QStringLiteral("run"));
            }
            if (names.back() == QLatin1String("started")) {
                QCOMPARE(event[QStringLiteral("checkpoint")].toString(), QStringLiteral("step-4"));
                QCOMPARE(event[QStringLiteral("step")].toInt(), 4);
                QCOMPARE(event[QStringLiteral("examples")].toInt(), 3);
            }
        }
        QCOMPARE(names.first(), QStringLiteral("started"));
        QCOMPARE(names.last(), QStringLiteral("finished"));
        QCOMPARE(examples, 3);
        QCOMPARE(names.count(QStringLiteral("result")), 1);
        QVERIFY(phases.contains(QStringLiteral("loss")) && phases.contains(QStringLiteral("generation")));
    }

    void cancelStoresNothing()
    {
        const CliResult result = cli({QStringLiteral("eval"), m_first, QStringLiteral("--checkpoint"),
                                      QStringLiteral("latest"), QStringLiteral("--events"), QStringLiteral("jsonl")},
                                     "stop\n");
        QCOMPARE(result.exitCode, 3);
        const QList<QByteArray> lines = result.out.trimmed().split('\n');
        QCOMPARE(QJsonDocument::fromJson(lines.last()).object()[QStringLiteral("event")].toString(),
                 QStringLiteral("cancelled"));
        const Workspace workspace = Workspace::open(m_workspace);
        QVERIFY(!EvaluationStore(workspace.database())
                     .runEvaluation(m_first.toLongLong(), QStringLiteral("latest"), QStringLiteral("val")));
    }

    void reportOnTheTwoRuns()
    {
        const QString out = m_dir.filePath(QStringLiteral("report"));
        const CliResult result =
            cli({QStringLiteral("report"), m_first, m_second, QStringLiteral("--out"), out, QStringLiteral("--json")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QFile markdown(QDir(out).filePath(QStringLiteral("report.md")));
        QVERIFY(markdown.open(QIODevice::ReadOnly));
        const QString md = QString::fromUtf8(markdown.readAll());
        const QJsonObject run = m_firstEval[QStringLiteral("results")].toArray()[0].toObject();
        const double best = json(cli({QStringLiteral("runs"), QStringLiteral("show"), m_first,
                                      QStringLiteral("--json")}))[QStringLiteral("best_val_loss")]
                                .toDouble();
        for (const QString& expected :
             {QStringLiteral("config.learning_rate"), QStringLiteral("0.002"), QStringLiteral("0.02"), number(best),
              number(metric(run, "bleu")), number(metric(run, "rouge-l")), QStringLiteral("loss-curves.svg"),
              QStringLiteral("## Examples"), QStringLiteral("lora fast")})
            QVERIFY2(md.contains(expected), qPrintable(expected));
        QFile html(QDir(out).filePath(QStringLiteral("report.html")));
        QVERIFY(html.open(QIODevice::ReadOnly));
        QVERIFY(html.readAll().contains("<svg"));
        QFile svg(QDir(out).filePath(QStringLiteral("loss-curves.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray bytes = svg.readAll();
        QVERIFY(bytes.size() > 1000);
        QXmlStreamReader reader(bytes);
        int polylines = 0;
        while (!reader.atEnd())
            if (reader.readNext() == QXmlStreamReader::StartElement && reader.name() == QLatin1String("polyline"))
                ++polylines;
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
        QCOMPARE(polylines, 4); // training and validation loss of each run
    }

    void timingOnTwentyExamples()
    {
        // Reported, not asserted: evaluating stories260K on the 20 validation examples, all metrics,
        // greedy, at most 128 new tokens (the defaults).
        QElapsedTimer timer;
        timer.start();
        const CliResult result = cli({QStringLiteral("eval"), m_second, QStringLiteral("--json"),
                                      QStringLiteral("--threads"), QStringLiteral("1")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject run = json(result)[QStringLiteral("results")].toArray()[0].toObject();
        QCOMPARE(run[QStringLiteral("examples")].toInt(), 20);
        qInfo("eval of stories260K on 20 examples: %.2f s in the evaluator, %.2f s for the whole command (1 thread); "
              "mean response %.1f tokens",
              run[QStringLiteral("seconds")].toDouble(), timer.elapsed() / 1000.0, metric(run, "response-tokens"));
    }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "tst_cli_eval.moc"
