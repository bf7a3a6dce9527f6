// The workspace folder: created on first use with studio.db and runs/, the sample dataset seeded once
// (tags kept), the default location, run folders.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/workspace.h"

using namespace ft;

class TestWorkspace : public QObject {
    Q_OBJECT
private slots:
    void firstOpenCreatesAndSeeds()
    {
        QTemporaryDir dir;
        const QString path = QDir(dir.path()).filePath(QStringLiteral("nested/ws"));
        const Workspace workspace = Workspace::open(path);
        QVERIFY(workspace.created());
        QVERIFY2(workspace.warnings().isEmpty(), qPrintable(workspace.warnings().join(QLatin1Char('\n'))));
        QVERIFY(QFile::exists(QDir(path).filePath(QStringLiteral("studio.db"))));
        QVERIFY(QFileInfo(QDir(path).filePath(QStringLiteral("runs"))).isDir());

        DatasetStore datasets(workspace.database());
        const auto list = datasets.list();
        QCOMPARE(list.size(), size_t(1));
        QCOMPARE(list[0].name, QStringLiteral("Sample"));
        QCOMPARE(list[0].examples, 216);
        ExampleStore examples(workspace.database());
        ExampleFilter pii;
        pii.tags = {QStringLiteral("pii")};
        QCOMPARE(examples.count(list[0].id, pii), 6);
        ExampleFilter math;
        math.tags = {QStringLiteral("math")};
        QCOMPARE(examples.count(list[0].id, math), 17); // 16 first tags + 1 second tag
        const StoredExample first = examples.examples(list[0].id, {}, {}, 0, 1).front();
        QCOMPARE(first.record.instruction, QStringLiteral("What is the capital of Australia?"));
        QCOMPARE(first.tags, QStringList{QStringLiteral("general-knowledge")});
        const StoredExample withSystem = examples.examples(list[0].id, {}, {}, 22, 1).front(); // line 23
        QVERIFY(!withSystem.record.system.isEmpty());
    }

    void reopeningDoesNotSeedAgain()
    {
        QTemporaryDir dir;
        {
            const Workspace workspace = Workspace::open(dir.path());
            DatasetStore datasets(workspace.database());
            datasets.remove(datasets.list().front().id);
        }
        const Workspace again = Workspace::open(dir.path());
        QVERIFY(!again.created());
        QVERIFY(DatasetStore(again.database()).list().empty());
    }

    void seedingCanBeTurnedOff()
    {
        QTemporaryDir dir;
        WorkspaceOptions options;
        options.seedSampleDataset = false;
        const Workspace workspace = Workspace::open(dir.path(), options);
        QVERIFY(DatasetStore(workspace.database()).list().empty());
    }

    void defaultPath()
    {
        qputenv("FT_WORKSPACE", "/tmp/some/where");
        QCOMPARE(Workspace::defaultPath(), QStringLiteral("/tmp/some/where"));
        qunsetenv("FT_WORKSPACE");
        QVERIFY2(Workspace::defaultPath().endsWith(QLatin1String("FineTune Studio/ftstudio")),
                 qPrintable(Workspace::defaultPath()));
    }

    void aFileIsNoWorkspace()
    {
        QTemporaryDir dir;
        const QString file = QDir(dir.path()).filePath(QStringLiteral("file"));
        QFile(file).open(QIODevice::WriteOnly);
        QVERIFY_THROWS_EXCEPTION(Error, Workspace::open(file));
    }

    void runFolders()
    {
        QTemporaryDir dir;
        WorkspaceOptions options;
        options.seedSampleDataset = false;
        const Workspace workspace = Workspace::open(dir.path(), options);
        // Run folders live in runs/ (RunFolder names them; tst_run_folder checks how).
        const QString a = QDir(workspace.runsPath()).filePath(QStringLiteral("20261206-101010-run"));
        QVERIFY(QDir().mkpath(a));

        QFile(QDir(a).filePath(QStringLiteral("config.json"))).open(QIODevice::WriteOnly);
        QVERIFY(workspace.removeRunFolder(a));
        QVERIFY(!QFileInfo::exists(a));
        QTemporaryDir outside;
        QVERIFY(!workspace.removeRunFolder(outside.path())); // never outside runs/
        QVERIFY(QFileInfo::exists(outside.path()));
        QVERIFY(!workspace.removeRunFolder(workspace.runsPath()));
        QVERIFY(QFileInfo::exists(workspace.runsPath()));
    }
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
