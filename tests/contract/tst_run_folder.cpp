// Run folders: one naming rule for studio and command line, numbered when the name is taken (also
// by another process at the same moment), and a prepared request that a started run refuses.

#include <mutex>
#include <thread>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/run_folder.h"
#include "contract/train_config.h"

using namespace ft;

class TestRunFolder : public QObject {
    Q_OBJECT
private slots:
    void slugKeepsWhatAFolderNameCanHold_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("slug");
        QTest::newRow("plain") << "roleplay-lora-a" << "roleplay-lora-a";
        QTest::newRow("spaces and case") << "  My First Run " << "my-first-run";
        QTest::newRow("unsafe characters") << "a/b\\c:d*e" << "a-b-c-d-e";
        QTest::newRow("leading dots") << "../../etc" << "etc";
        QTest::newRow("non-latin") << "Модель" << "run";
        QTest::newRow("empty") << "" << "run";
        QTest::newRow("long") << QString(100, QLatin1Char('x')) << QString(40, QLatin1Char('x'));
    }
    void slugKeepsWhatAFolderNameCanHold()
    {
        QFETCH(QString, name);
        QFETCH(QString, slug);
        QCOMPARE(RunFolder::slug(name), slug);
    }

    void createNamesByDateAndNumbersWhenTaken()
    {
        QTemporaryDir dir;
        const QString runs = dir.filePath(QStringLiteral("runs")); // made when missing
        const QDateTime when(QDate(2026, 12, 6), QTime(5, 11, 55));
        const RunFolder first = RunFolder::create(runs, QStringLiteral("Roleplay LoRA"), when);
        const RunFolder second = RunFolder::create(runs, QStringLiteral("Roleplay LoRA"), when);
        const RunFolder third = RunFolder::create(runs, QStringLiteral("roleplay lora"), when);
        QCOMPARE(QFileInfo(first.path()).fileName(), QStringLiteral("20261206-051155-roleplay-lora"));
        QCOMPARE(QFileInfo(second.path()).fileName(), QStringLiteral("20261206-051155-roleplay-lora-2"));
        QCOMPARE(QFileInfo(third.path()).fileName(), QStringLiteral("20261206-051155-roleplay-lora-3"));
        for (const RunFolder& folder : {first, second, third})
            QVERIFY(QFileInfo(folder.path()).isDir());
    }

    void filesLiveWhereTheContractSays()
    {
        const RunFolder folder(QStringLiteral("/w/runs/r"));
        QCOMPARE(folder.configPath(), QStringLiteral("/w/runs/r/config.json"));
        QCOMPARE(folder.trainDataPath(), QStringLiteral("/w/runs/r/data/train.jsonl"));
        QCOMPARE(folder.valDataPath(), QStringLiteral("/w/runs/r/data/val.jsonl"));
        QCOMPARE(folder.checkpointsPath(), QStringLiteral("/w/runs/r/checkpoints"));
        QCOMPARE(folder.exportModelPath(), QStringLiteral("/w/runs/r/export/model"));
        QCOMPARE(folder.eventsPath(), QStringLiteral("/w/runs/r/events.jsonl"));
        QCOMPARE(folder.logPath(), QStringLiteral("/w/runs/r/log.txt"));
    }

    // The studio prepares a run; the worker's start makes it a run, which no request may overwrite.
    void aPreparedRequestUntilTheRunStarts()
    {
        QTemporaryDir dir;
        const RunFolder folder = RunFolder::create(dir.path(), QStringLiteral("r"));
        TrainConfig config;
        config.model = QStringLiteral("/models/m");
        config.trainFile = folder.trainDataPath();
        config.applyModePreset(QStringLiteral("qlora"));
        QVERIFY(!folder.hasStarted());
        folder.writeRequest(config);
        const TrainConfig read = TrainConfig::fromJson(readJsonObjectFile(folder.configPath()), folder.configPath());
        QCOMPARE(read.toJson(), config.toJson());
        folder.writeRequest(config); // still only prepared: may be written again
        folder.markStarted();
        QVERIFY(folder.hasStarted());
        QVERIFY_THROWS_EXCEPTION(Error, folder.writeRequest(config));
        QCOMPARE(read.toJson(), TrainConfig::fromJson(readJsonObjectFile(folder.configPath()), "c").toJson());
    }

    // Writers racing for the same name at the same second each get a folder of their own: mkdir is
    // the claim, and a name taken between the look and the mkdir moves on to the next number.
    void racingWritersGetFoldersOfTheirOwn()
    {
        QTemporaryDir dir;
        const QDateTime when = QDateTime::currentDateTime();
        const QString runs = dir.filePath(QStringLiteral("runs"));
        std::mutex mutex;
        QSet<QString> made;
        std::vector<std::thread> writers;
        for (int w = 0; w < 8; ++w)
            writers.emplace_back([&] {
                for (int i = 0; i < 5; ++i) {
                    const QString path = RunFolder::create(runs, QStringLiteral("same"), when).path();
                    std::lock_guard<std::mutex> lock(mutex);
                    made.insert(path);
                }
            });
        for (std::thread& writer : writers)
            writer.join();
        QCOMPARE(made.size(), 40);
        QCOMPARE(QDir(runs).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 40);
    }

    // What the Playground offers: finished checkpoints by step, the best one marked as best.json names it;
    // a folder whose state.json was never written (killed mid-write) is not a checkpoint.
    void checkpointsAreTheFinishedOnes()
    {
        QTemporaryDir dir;
        const RunFolder run(dir.path());
        QCOMPARE(run.checkpoints().size(), size_t(0)); // not started
        run.markStarted();
        const QDir checkpoints(run.checkpointsPath());
        for (const char* name : {"step-00000020", "step-00000100", "step-00000140"}) {
            QVERIFY(checkpoints.mkdir(QString::fromLatin1(name)));
            if (QByteArray(name) != "step-00000140")
                writeFileAtomically(checkpoints.filePath(QString::fromLatin1(name) + QStringLiteral("/state.json")),
                                    "{}");
        }
        writeFileAtomically(checkpoints.filePath(QStringLiteral("best.json")),
                            R"({"checkpoint": "step-00000020", "step": 20, "val_loss": 1.5})");
        const std::vector<RunCheckpoint> found = run.checkpoints();
        QCOMPARE(found.size(), size_t(2));
        QCOMPARE(found[0].name, QStringLiteral("step-20"));
        QCOMPARE(found[0].step, qint64(20));
        QVERIFY(found[0].best);
        QCOMPARE(found[1].name, QStringLiteral("step-100"));
        QVERIFY(!found[1].best);
    }

    // The channel to a worker whose studio is gone: commands come out in the order they went in, once
    // each; an unknown one is refused; the pause mark comes and goes.
    void commandsReachTheWorkerInOrder()
    {
        QTemporaryDir dir;
        const RunFolder run(dir.path());
        QVERIFY(run.takeCommands().isEmpty());
        for (const char* command : {"pause", "resume", "checkpoint", "stop"})
            run.sendCommand(QString::fromLatin1(command));
        QCOMPARE(run.takeCommands(), (QStringList{QStringLiteral("pause"), QStringLiteral("resume"),
                                                  QStringLiteral("checkpoint"), QStringLiteral("stop")}));
        QVERIFY(run.takeCommands().isEmpty());
        QVERIFY_THROWS_EXCEPTION(Error, run.sendCommand(QStringLiteral("rm -rf")));
        // Left before the worker started (for an earlier session): dropped unread, and gone.
        run.sendCommand(QStringLiteral("pause"));
        QVERIFY(run.takeCommands(QDateTime::currentDateTime().addSecs(60)).isEmpty());
        QVERIFY(QDir(run.controlPath()).entryList({QStringLiteral("*.cmd*")}, QDir::Files).isEmpty());
        // A file another reader has claimed is not taken again.
        run.sendCommand(QStringLiteral("checkpoint"));
        const QString name = QDir(run.controlPath()).entryList({QStringLiteral("*.cmd")}, QDir::Files).value(0);
        QVERIFY(QFile::rename(QDir(run.controlPath()).filePath(name), QDir(run.controlPath()).filePath(name + QStringLiteral(".taken"))));
        QVERIFY(run.takeCommands().isEmpty());
        QVERIFY(!run.isPaused());
        run.markPaused(true);
        QVERIFY(run.isPaused());
        run.markPaused(false);
        QVERIFY(!run.isPaused());
    }

    void unwritableRunsFolderIsAClearError()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("runs")));
        QVERIFY(blocker.open(QIODevice::WriteOnly)); // a file where the runs folder should be
        blocker.close();
        try {
            RunFolder::create(blocker.fileName(), QStringLiteral("x"));
            QFAIL("no error");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(blocker.fileName()), qPrintable(error.message()));
        }
    }
};

QTEST_GUILESS_MAIN(TestRunFolder)
#include "tst_run_folder.moc"
