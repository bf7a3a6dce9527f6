// The training worker as the studio runs it: a process with JSONL events on stdout and commands on stdin.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "common/cpu_bf16.h"
#include "common/json_file.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "store_test_support.h"
#include "support/scoped_environment.h"
#include "support/test_support.h"

using namespace ft;

namespace {

// Reads events as they come.
class Worker {
public:
    explicit Worker(const QStringList& arguments)
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(test::cliPath(), arguments);
    }
    ~Worker()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }
    // Waits for the next event named `name` (skipping others); an empty object on timeout.
    QJsonObject waitFor(const QString& name, int timeoutMs = 60000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            while (m_process.canReadLine()) {
                const QJsonObject event = QJsonDocument::fromJson(m_process.readLine()).object();
                m_events << event;
                if (event.value(QStringLiteral("event")).toString() == name)
                    return event;
            }
            if (m_process.state() == QProcess::NotRunning && !m_process.canReadLine())
                return {};
            m_process.waitForReadyRead(200);
        }
        return {};
    }
    void send(const QByteArray& line) { m_process.write(line + '\n'); }
    int finish()
    {
        m_process.waitForFinished(60000);
        return m_process.exitCode();
    }
    QProcess& process() { return m_process; }
    const QList<QJsonObject>& events() const { return m_events; }

private:
    QProcess m_process;
    QList<QJsonObject> m_events;
};

QString writeExamples(const QString& dir, int count, const QByteArray& extraLine = {})
{
    const QString path = QDir(dir).filePath(QStringLiteral("train.jsonl"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    for (int i = 0; i < count; ++i)
        file.write(QStringLiteral("{\"instruction\": \"Count to %1.\", \"response\": \"%2\"}\n")
                       .arg(i % 7 + 1)
                       .arg(QStringLiteral("one two three four five six seven").section(QLatin1Char(' '), 0, i % 7))
                       .toUtf8());
    file.write(extraLine);
    return path;
}

} // namespace

class TestTrainWorker : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_train;

    QStringList baseArguments(const QString& runDir, int steps)
    {
        return {QStringLiteral("train"),
                QStringLiteral("--model"),
                m_model,
                QStringLiteral("--train"),
                m_train,
                QStringLiteral("--run"),
                runDir,
                QStringLiteral("--steps"),
                QString::number(steps),
                QStringLiteral("--events"),
                QStringLiteral("jsonl"),
                QStringLiteral("--max-length"),
                QStringLiteral("64"),
                QStringLiteral("--template"),
                QStringLiteral("plain"),
                QStringLiteral("--set"),
                QStringLiteral("sample_prompts=0"),
                QStringLiteral("--threads"),
                QStringLiteral("1")};
    }

private slots:
    void initTestCase()
    {
        m_model = m_dir.filePath(QStringLiteral("model"));
        const auto created = test::runCli({QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"),
                                           QStringLiteral("tiny"), m_model});
        QVERIFY2(created.exitCode == 0, created.err.constData());
        m_train = writeExamples(m_dir.path(), 60);
    }
    void eventStreamOfAFinishedRun()
    {
        const QString runDir = m_dir.filePath(QStringLiteral("finished"));
        Worker worker(baseArguments(runDir, 3) << QStringLiteral("--set") << QStringLiteral("eval_every=3"));
        const QJsonObject started = worker.waitFor(QStringLiteral("started"));
        QCOMPARE(started[QStringLiteral("total_steps")].toInt(), 3);
        QVERIFY(started[QStringLiteral("tokens_per_epoch")].toInt() > 0);
        QVERIFY(started[QStringLiteral("config")].toObject().contains(QStringLiteral("learning_rate")));
        const QJsonObject step = worker.waitFor(QStringLiteral("step"));
        for (const char* key : {"step", "epoch", "loss", "lr", "grad_norm", "tokens_per_second", "elapsed", "eta"})
            QVERIFY2(step.contains(QLatin1String(key)), key);
        const QJsonObject eval = worker.waitFor(QStringLiteral("eval"));
        QVERIFY(eval[QStringLiteral("perplexity")].toDouble() > 1.0);
        const QJsonObject finished = worker.waitFor(QStringLiteral("finished"));
        QVERIFY(!finished.isEmpty());
        QCOMPARE(worker.finish(), 0);
        QVERIFY(QFile::exists(finished[QStringLiteral("export")].toString() + QStringLiteral("/model.safetensors")));
        QVERIFY(QFile::exists(QDir(runDir).filePath(QStringLiteral("log.txt"))));
        // Exactly one final event.
        int finals = 0;
        for (const QJsonObject& event : worker.events())
            finals += QStringList{QStringLiteral("finished"), QStringLiteral("stopped"), QStringLiteral("failed"),
                                  QStringLiteral("diverged")}
                          .contains(event[QStringLiteral("event")].toString());
        QCOMPARE(finals, 1);
    }
    void checkpointPauseAndStopOnStdin()
    {
        const QString runDir = m_dir.filePath(QStringLiteral("stdin"));
        Worker worker(baseArguments(runDir, 100000));
        QVERIFY(!worker.waitFor(QStringLiteral("step")).isEmpty());
        worker.send("checkpoint");
        const QJsonObject checkpoint = worker.waitFor(QStringLiteral("checkpoint"));
        QVERIFY(QDir(checkpoint[QStringLiteral("path")].toString()).exists());
        worker.send("pause");
        QVERIFY(!worker.waitFor(QStringLiteral("paused")).isEmpty());
        worker.send("resume");
        QVERIFY(!worker.waitFor(QStringLiteral("resumed")).isEmpty());
        worker.send("stop");
        const QJsonObject stopped = worker.waitFor(QStringLiteral("stopped"));
        QVERIFY(!stopped.isEmpty());
        QCOMPARE(worker.finish(), 0);
        // The stop left a checkpoint at the step it stopped on, and the run resumes from it.
        QVERIFY(QDir(runDir).exists(QStringLiteral("checkpoints/step-%1")
                                        .arg(stopped[QStringLiteral("step")].toInt(), 8, 10, QLatin1Char('0'))));
        Worker resumed({QStringLiteral("train"), QStringLiteral("--resume"), runDir, QStringLiteral("--events"),
                        QStringLiteral("jsonl")});
        QCOMPARE(resumed.waitFor(QStringLiteral("started"))[QStringLiteral("resumed_from_step")].toInt(),
                 stopped[QStringLiteral("step")].toInt());
        const QJsonObject next = resumed.waitFor(QStringLiteral("step"));
        QCOMPARE(next[QStringLiteral("step")].toInt(), stopped[QStringLiteral("step")].toInt() + 1);
        resumed.process().terminate();
        QVERIFY(!resumed.waitFor(QStringLiteral("stopped")).isEmpty());
    }
    void sigtermStopsWithACheckpoint()
    {
        const QString runDir = m_dir.filePath(QStringLiteral("sigterm"));
        Worker worker(baseArguments(runDir, 100000));
        QVERIFY(!worker.waitFor(QStringLiteral("step")).isEmpty());
        worker.process().terminate(); // SIGTERM
        const QJsonObject stopped = worker.waitFor(QStringLiteral("stopped"));
        QVERIFY(!stopped.isEmpty());
        QCOMPARE(worker.finish(), 0);
        QVERIFY(!QDir(QDir(runDir).filePath(QStringLiteral("checkpoints")))
                     .entryList({QStringLiteral("step-*")}, QDir::Dirs)
                     .isEmpty());
    }
    // The event stream begins with "started"; what setting up found (QLoRA's checkpointing) follows it.
    void startedComesFirst()
    {
        const QString runDir = m_dir.filePath(QStringLiteral("qlora-order"));
        const auto result =
            test::runCli(baseArguments(runDir, 1) << QStringLiteral("--mode") << QStringLiteral("qlora"));
        QCOMPARE(result.exitCode, 0);
        QStringList events;
        for (const QByteArray& line : result.out.trimmed().split('\n')) {
            const QJsonObject event = QJsonDocument::fromJson(line).object();
            events << event.value(QStringLiteral("event")).toString();
            if (event.value(QStringLiteral("message")).toString().startsWith(QLatin1String("gradient checkpointing")))
                QVERIFY2(events.size() > 1, "a setup note came before \"started\"");
        }
        QCOMPARE(events.first(), QStringLiteral("started"));
        QVERIFY2(result.out.contains("gradient checkpointing"), result.out.constData());
        QCOMPARE(events.last(), QStringLiteral("finished"));
    }
    void badConfigurationsExitBeforeTraining_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QByteArray>("trainLine");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing train file")
            << QStringList{QStringLiteral("--train"), QStringLiteral("/nonexistent.jsonl")} << QByteArray()
            << "train_file";
        QTest::newRow("malformed line") << QStringList() << QByteArray("{\"instruction\": \"x\",\n")
                                        << "train.jsonl:61";
        QTest::newRow("empty response") << QStringList() << QByteArray("{\"instruction\": \"x\", \"response\": \"\"}\n")
                                        << "train.jsonl:61";
        QTest::newRow("unknown placeholder")
            << QStringList{QStringLiteral("--template"), QStringLiteral("Q: {question} A: {response}")} << QByteArray()
            << "{question}";
        QTest::newRow("max length below template")
            << QStringList{QStringLiteral("--template"), QStringLiteral("alpaca")} << QByteArray() << "max_length";
        QTest::newRow("zero learning rate")
            << QStringList{QStringLiteral("--lr"), QStringLiteral("0")} << QByteArray() << "learning_rate";
        QTest::newRow("negative learning rate")
            << QStringList{QStringLiteral("--lr"), QStringLiteral("-0.1")} << QByteArray() << "learning_rate";
        QTest::newRow("unknown setting") << QStringList{QStringLiteral("--set"), QStringLiteral("learnin_rate=1")}
                                         << QByteArray() << "learnin_rate";
    }
    void badConfigurationsExitBeforeTraining()
    {
        QFETCH(QStringList, extra);
        QFETCH(QByteArray, trainLine);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        m_train = writeExamples(dir.path(), 60, trainLine);
        const QString runDir = dir.filePath(QStringLiteral("run"));
        QStringList arguments = baseArguments(runDir, 2);
        for (int i = 0; i + 1 < extra.size(); i += 2) {
            const int at = arguments.indexOf(extra[i]);
            if (at >= 0 && extra[i] != QLatin1String("--set"))
                arguments[at + 1] = extra[i + 1];
            else
                arguments << extra[i] << extra[i + 1];
        }
        const auto result = test::runCli(arguments);
        QCOMPARE(result.exitCode, 2);
        const QJsonObject failed = QJsonDocument::fromJson(result.out.trimmed().split('\n').last()).object();
        QCOMPARE(failed[QStringLiteral("event")].toString(), QStringLiteral("failed"));
        QVERIFY2(failed[QStringLiteral("message")].toString().contains(expected),
                 qPrintable(failed[QStringLiteral("message")].toString()));
        QVERIFY(!QDir(runDir).exists(QStringLiteral("checkpoints")));
        // On a terminal (no --events) the error is said once, on stderr.
        arguments.removeAt(arguments.indexOf(QStringLiteral("--events")) + 1);
        arguments.removeAll(QStringLiteral("--events"));
        const auto plain = test::runCli(arguments);
        QCOMPARE(plain.exitCode, 2);
        const QByteArray message = failed[QStringLiteral("message")].toString().toUtf8();
        QVERIFY2(plain.err.count(message) == 1, plain.err.constData());
        QVERIFY2(plain.out.isEmpty(), plain.out.constData());
        m_train = writeExamples(m_dir.path(), 60);
    }
    void runIsRecordedInTheWorkspace()
    {
        const QString workspaceDir = m_dir.filePath(QStringLiteral("workspace"));
        // The sample dataset a new workspace starts with, frozen into the run folder.
        const auto result = test::runCli({QStringLiteral("train"),
                                          QStringLiteral("--workspace"),
                                          workspaceDir,
                                          QStringLiteral("--dataset"),
                                          QStringLiteral("Sample"),
                                          QStringLiteral("--model"),
                                          m_model,
                                          QStringLiteral("--steps"),
                                          QStringLiteral("3"),
                                          QStringLiteral("--template"),
                                          QStringLiteral("plain"),
                                          QStringLiteral("--max-length"),
                                          QStringLiteral("64"),
                                          QStringLiteral("--set"),
                                          QStringLiteral("eval_every=3"),
                                          QStringLiteral("--set"),
                                          QStringLiteral("sample_prompts=0"),
                                          QStringLiteral("--name"),
                                          QStringLiteral("from the command line"),
                                          QStringLiteral("--events"),
                                          QStringLiteral("jsonl")});
        QVERIFY2(result.exitCode == 0, result.out.right(400).constData());
        Workspace workspace = Workspace::open(workspaceDir);
        RunStore runs(workspace.database(), workspace.path());
        const auto all = runs.runs();
        QCOMPARE(all.size(), size_t(1));
        const RunInfo& run = all.front();
        QCOMPARE(run.name, QStringLiteral("from the command line"));
        QCOMPARE(run.status, RunStatus::Finished);
        QCOMPARE(run.datasetName, QStringLiteral("Sample"));
        QVERIFY(run.bestValLoss.has_value());
        QVERIFY(run.tokensSeen > 0);
        QVERIFY(run.runDir.startsWith(workspace.runsPath()));
        QVERIFY(!run.trainSha256.isEmpty());
        // The history's hash is that of the frozen file the run trained on.
        QFile manifest(QDir(run.runDir).filePath(QStringLiteral("data/manifest.json")));
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        QCOMPARE(run.trainSha256, QJsonDocument::fromJson(manifest.readAll())
                                      .object()[QStringLiteral("train")]
                                      .toObject()[QStringLiteral("sha256")]
                                      .toString());
        QCOMPARE(run.config[QStringLiteral("max_steps")].toInt(), 3);
        MetricStore metrics(workspace.database());
        QCOMPARE(metrics.series(run.id, QStringLiteral("loss")).steps.size(), size_t(3));
        QCOMPARE(metrics.series(run.id, QStringLiteral("val_loss")).steps.size(), size_t(1));
        QVERIFY(!runs.checkpoints(run.id).empty());
        QVERIFY(!metrics.evaluations(run.id).empty());
    }
    // Stopped, then resumed (as Runs > Resume does: --resume with the workspace and the run's id): the run keeps
    // the dataset it was trained on, its name and version (resuming used to blank them).
    void resumingKeepsTheDatasetLineage()
    {
        const QString workspaceDir = m_dir.filePath(QStringLiteral("resume-workspace"));
        Worker worker({QStringLiteral("train"), QStringLiteral("--workspace"), workspaceDir,
                       QStringLiteral("--dataset"), QStringLiteral("Sample"), QStringLiteral("--model"), m_model,
                       QStringLiteral("--steps"), QStringLiteral("100000"), QStringLiteral("--template"),
                       QStringLiteral("plain"), QStringLiteral("--max-length"), QStringLiteral("64"),
                       QStringLiteral("--set"), QStringLiteral("sample_prompts=0"), QStringLiteral("--threads"),
                       QStringLiteral("1"), QStringLiteral("--events"), QStringLiteral("jsonl")});
        QVERIFY(!worker.waitFor(QStringLiteral("step")).isEmpty());
        worker.send("stop");
        QVERIFY(!worker.waitFor(QStringLiteral("stopped")).isEmpty());
        QCOMPARE(worker.finish(), 0);
        Workspace workspace = Workspace::open(workspaceDir);
        const RunInfo before = RunStore(workspace.database(), workspace.path()).runs().front();
        QCOMPARE(before.datasetName, QStringLiteral("Sample"));
        QVERIFY(before.datasetId.has_value());

        Worker resumed({QStringLiteral("train"), QStringLiteral("--resume"), before.runDir,
                        QStringLiteral("--workspace"), workspaceDir, QStringLiteral("--run-id"),
                        QString::number(before.id), QStringLiteral("--events"), QStringLiteral("jsonl")});
        QVERIFY(!resumed.waitFor(QStringLiteral("step")).isEmpty());
        resumed.process().terminate();
        QVERIFY(!resumed.waitFor(QStringLiteral("stopped")).isEmpty());
        resumed.finish();
        const RunInfo after = *RunStore(workspace.database(), workspace.path()).run(before.id);
        QCOMPARE(after.datasetName, before.datasetName);
        QCOMPARE(after.datasetId, before.datasetId);
        QCOMPARE(after.datasetVersion, before.datasetVersion);
        QCOMPARE(after.trainSha256, before.trainSha256);
    }
    void datasetSplitsAreChosen()
    {
        // A dataset of 6 train and 3 test examples and no validation split.
        const QString workspaceDir = m_dir.filePath(QStringLiteral("splits-workspace"));
        {
            Workspace workspace = Workspace::open(workspaceDir);
            test::addSplitDataset(workspace.database(), QStringLiteral("tested"), 6, 3);
        }
        const auto train = [&](const QString& runName, const QStringList& splits) {
            return test::runCli(QStringList{QStringLiteral("train"),
                                            QStringLiteral("--workspace"),
                                            workspaceDir,
                                            QStringLiteral("--dataset"),
                                            QStringLiteral("tested"),
                                            QStringLiteral("--run"),
                                            m_dir.filePath(runName),
                                            QStringLiteral("--model"),
                                            m_model,
                                            QStringLiteral("--steps"),
                                            QStringLiteral("2"),
                                            QStringLiteral("--template"),
                                            QStringLiteral("plain"),
                                            QStringLiteral("--max-length"),
                                            QStringLiteral("64"),
                                            QStringLiteral("--set"),
                                            QStringLiteral("sample_prompts=0"),
                                            QStringLiteral("--threads"),
                                            QStringLiteral("1"),
                                            QStringLiteral("--events"),
                                            QStringLiteral("jsonl")} +
                                splits);
        };
        const auto lines = [](const QString& path) {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : -1;
        };
        const auto ok = train(QStringLiteral("split-test"), {QStringLiteral("--train-split"), QStringLiteral("train"),
                                                             QStringLiteral("--val-split"), QStringLiteral("test")});
        QVERIFY2(ok.exitCode == 0, ok.out.right(400).constData());
        QCOMPARE(lines(m_dir.filePath(QStringLiteral("split-test/data/train.jsonl"))), 6);
        QCOMPARE(lines(m_dir.filePath(QStringLiteral("split-test/data/val.jsonl"))), 3);

        // The validation split chosen is empty: refused, naming it, before training.
        const auto empty = train(QStringLiteral("split-empty"), {QStringLiteral("--val-split"), QStringLiteral("val")});
        QCOMPARE(empty.exitCode, 2);
        QVERIFY2(empty.out.contains("no examples in the val split"), empty.out.right(400).constData());
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("split-empty/checkpoints"))));

        const auto bad =
            train(QStringLiteral("split-bad"), {QStringLiteral("--train-split"), QStringLiteral("everything")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--train-split expects train, val or test"), bad.err.constData());
        const auto same = train(QStringLiteral("split-same"), {QStringLiteral("--train-split"), QStringLiteral("test"),
                                                               QStringLiteral("--val-split"), QStringLiteral("test")});
        QCOMPARE(same.exitCode, 2);
        QVERIFY2(same.err.contains("name the same split"), same.err.constData());

        // --dataset-id (what the studio passes) is an id only, even when another dataset's name is
        // that number; an id that is gone is refused by name.
        qint64 testedId = 0;
        {
            Workspace workspace = Workspace::open(workspaceDir);
            testedId = DatasetStore(workspace.database()).findByName(QStringLiteral("tested"))->id;
            const qint64 decoy = DatasetStore(workspace.database()).create(QString::number(testedId));
            StoredExample example;
            example.record.instruction = QStringLiteral("Decoy.");
            example.record.response = QStringLiteral("Decoy.");
            ExampleStore(workspace.database()).add(decoy, example);
        }
        const auto byId = [&](const QString& runName, const QString& id) {
            return test::runCli({QStringLiteral("train"),
                                 QStringLiteral("--workspace"),
                                 workspaceDir,
                                 QStringLiteral("--dataset-id"),
                                 id,
                                 QStringLiteral("--run"),
                                 m_dir.filePath(runName),
                                 QStringLiteral("--model"),
                                 m_model,
                                 QStringLiteral("--steps"),
                                 QStringLiteral("1"),
                                 QStringLiteral("--template"),
                                 QStringLiteral("plain"),
                                 QStringLiteral("--max-length"),
                                 QStringLiteral("64"),
                                 QStringLiteral("--set"),
                                 QStringLiteral("sample_prompts=0"),
                                 QStringLiteral("--threads"),
                                 QStringLiteral("1"),
                                 QStringLiteral("--val-split"),
                                 QStringLiteral("test"),
                                 QStringLiteral("--events"),
                                 QStringLiteral("jsonl")});
        };
        const auto chosen = byId(QStringLiteral("by-id"), QString::number(testedId));
        QVERIFY2(chosen.exitCode == 0, chosen.out.right(400).constData());
        QCOMPARE(lines(m_dir.filePath(QStringLiteral("by-id/data/train.jsonl"))), 6);
        const auto gone = byId(QStringLiteral("by-id-gone"), QStringLiteral("9999"));
        QCOMPARE(gone.exitCode, 2);
        QVERIFY2(gone.out.contains("no dataset with id 9999"), gone.out.right(400).constData());
    }

    void divergedRunExitsThree()
    {
        const QString runDir = m_dir.filePath(QStringLiteral("diverged"));
        const auto result = test::runCli(baseArguments(runDir, 30)
                                         << QStringLiteral("--lr") << QStringLiteral("1e30") << QStringLiteral("--set")
                                         << QStringLiteral("max_grad_norm=0") << QStringLiteral("--set")
                                         << QStringLiteral("schedule=\"constant\""));
        QCOMPARE(result.exitCode, 3);
        const QJsonObject last = QJsonDocument::fromJson(result.out.trimmed().split('\n').last()).object();
        QCOMPARE(last[QStringLiteral("event")].toString(), QStringLiteral("diverged"));
        QVERIFY(last[QStringLiteral("message")].toString().contains(QLatin1String("step")));
    }

    // With no template named, a model folder with its own chat template trains on it ("model"); one without
    // keeps alpaca; a named template always wins.
    void theModelsOwnTemplateIsTheDefault()
    {
        const QString chatModel = m_dir.filePath(QStringLiteral("chat-model"));
        QVERIFY(QDir().mkpath(chatModel));
        for (const QString& name : QDir(m_model).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(m_model).filePath(name), QDir(chatModel).filePath(name)));
        QFile config(QDir(chatModel).filePath(QStringLiteral("tokenizer_config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(
            R"({"chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"})");
        config.close();

        auto templateOf = [&](const QString& model, const QStringList& extra) {
            const QString runDir = m_dir.filePath(QStringLiteral("default-template-%1").arg(m_templateRuns++));
            const auto result = test::runCli(
                QStringList{QStringLiteral("train"), QStringLiteral("--model"), model, QStringLiteral("--train"),
                            m_train, QStringLiteral("--run"), runDir, QStringLiteral("--steps"), QStringLiteral("1"),
                            QStringLiteral("--max-length"), QStringLiteral("128"), QStringLiteral("--set"),
                            QStringLiteral("sample_prompts=0"), QStringLiteral("--threads"), QStringLiteral("1")} +
                extra);
            if (result.exitCode != 0)
                return QStringLiteral("exit %1: %2").arg(result.exitCode).arg(QString::fromUtf8(result.err.right(400)));
            return readJsonObjectFile(QDir(runDir).filePath(QStringLiteral("config.json")))
                .value(QStringLiteral("template"))
                .toString();
        };
        QCOMPARE(templateOf(chatModel, {}), QStringLiteral("model"));
        QCOMPARE(templateOf(m_model, {}), QStringLiteral("alpaca"));
        QCOMPARE(templateOf(chatModel, {QStringLiteral("--template"), QStringLiteral("zephyr")}),
                 QStringLiteral("zephyr"));
    }

    // With no precision named, a run computes in bfloat16 where the CPU multiplies it in hardware and in
    // float32 elsewhere, and says which in its config.json; $FT_COMPUTE_DTYPE (the suite sets float32)
    // overrides the machine, and a named precision overrides both.
    void thePrecisionDefaultsToTheMachines()
    {
        auto precisionOf = [&](const QByteArray& environment, const QStringList& extra) {
            const test::ScopedEnvironment precision("FT_COMPUTE_DTYPE", environment);
            const QString runDir = m_dir.filePath(QStringLiteral("precision-%1").arg(m_precisionRuns++));
            const auto result = test::runCli(baseArguments(runDir, 1) + extra);
            if (result.exitCode != 0)
                return QStringLiteral("exit %1: %2")
                    .arg(result.exitCode)
                    .arg(QString::fromUtf8(result.out.right(400) + result.err.right(400)));
            return readJsonObjectFile(QDir(runDir).filePath(QStringLiteral("config.json")))
                .value(QStringLiteral("compute_dtype"))
                .toString();
        };
        const QString machine = cpuHasNativeBf16() ? QStringLiteral("bfloat16") : QStringLiteral("float32");
        QCOMPARE(precisionOf(QByteArray(), {}), machine);
        QCOMPARE(precisionOf("bfloat16", {}), QStringLiteral("bfloat16"));
        QCOMPARE(precisionOf("float32", {}), QStringLiteral("float32"));
        QCOMPARE(precisionOf("bfloat16", {QStringLiteral("--set"), QStringLiteral("compute_dtype=float32")}),
                 QStringLiteral("float32"));
        const QString mistyped = precisionOf("bf16", {});
        QVERIFY2(mistyped.startsWith(QLatin1String("exit 2: ")) && mistyped.contains(QLatin1String("FT_COMPUTE_DTYPE")),
                 qPrintable(mistyped));
    }

private:
    int m_templateRuns = 0;
    int m_precisionRuns = 0;
};

QTEST_MAIN(TestTrainWorker)
#include "tst_train_worker.moc"
