// ftstudio-cli dataset ...: help and --json on every subcommand, import -> list -> show -> export round
// trips, all-or-nothing imports, previews before --apply, errors that name what is wrong.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "cli_runner.h"
#include "support/test_support.h"

using namespace ft;
using test::CliResult;

namespace {

QJsonObject json(const CliResult& result)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(result.out, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON (%s): %s\nstderr: %s", qPrintable(error.errorString()), result.out.constData(),
                 result.err.constData());
    return document.object();
}

QString writeFile(const QString& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = QDir(dir).filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    file.write(bytes);
    return path;
}

QJsonObject datasetNamed(const QJsonObject& list, const QString& name)
{
    for (const QJsonValue& value : list[QStringLiteral("datasets")].toArray())
        if (value[QStringLiteral("name")].toString() == name)
            return value.toObject();
    return {};
}

} // namespace

class TestCliDataset : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_home;
    QTemporaryDir m_workspace;

    // ftstudio-cli dataset <args> --workspace <this test's workspace>
    CliResult dataset(QStringList args, const QString& workspace = {})
    {
        args.prepend(QStringLiteral("dataset"));
        args << QStringLiteral("--workspace") << (workspace.isEmpty() ? m_workspace.path() : workspace);
        return test::runCli(args);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!test::cliPath().isEmpty(), "FT_CLI is not set (run through ctest)");
        // A command that forgot --workspace must not touch the real default workspace.
        qputenv("FT_WORKSPACE", QDir(m_home.path()).filePath(QStringLiteral("default-workspace")).toUtf8());
    }

    void everySubcommandHasHelp_data()
    {
        QTest::addColumn<QStringList>("arguments");
        for (const char* sub : {"list", "show", "create", "delete", "import", "export", "validate", "dedup", "mask-pii",
                                "split", "stats", "generate"})
            QTest::newRow(sub) << QStringList{QStringLiteral("dataset"), QLatin1String(sub), QStringLiteral("--help")};
        QTest::newRow("dataset") << QStringList{QStringLiteral("dataset"), QStringLiteral("--help")};
    }
    void everySubcommandHasHelp()
    {
        QFETCH(QStringList, arguments);
        const CliResult result = test::runCli(arguments);
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains("Usage:"), result.out.constData());
        QVERIFY2(result.out.contains("--workspace") && result.out.contains("--json"), result.out.constData());
    }

    void newWorkspaceHasTheSample()
    {
        QTemporaryDir fresh;
        const QJsonObject list = json(dataset({QStringLiteral("list"), QStringLiteral("--json")}, fresh.path()));
        QCOMPARE(datasetNamed(list, QStringLiteral("Sample"))[QStringLiteral("examples")].toInt(), 216);
        QVERIFY(QFile::exists(QDir(fresh.path()).filePath(QStringLiteral("studio.db"))));
        QVERIFY(!QFile::exists(qEnvironmentVariable("FT_WORKSPACE")));
    }

    void importListShowExportRoundTrip()
    {
        FT_REQUIRE_SHARED();
        const QString file = test::sharedPath(QStringLiteral("datasets/alpaca_en_demo.json"));
        const CliResult imported = dataset({QStringLiteral("import"), file, QStringLiteral("--json")});
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
        QCOMPARE(json(imported)[QStringLiteral("imported")].toInt(), 999);
        QCOMPARE(json(imported)[QStringLiteral("format")].toString(), QStringLiteral("alpaca"));

        const QJsonObject list = json(dataset({QStringLiteral("list"), QStringLiteral("--json")}));
        QCOMPARE(datasetNamed(list, QStringLiteral("alpaca_en_demo"))[QStringLiteral("examples")].toInt(), 999);
        const CliResult table = dataset({QStringLiteral("list")});
        QVERIFY(table.out.contains("alpaca_en_demo") && table.out.contains("999"));

        const QJsonObject shown =
            json(dataset({QStringLiteral("show"), QStringLiteral("alpaca_en_demo"), QStringLiteral("--limit"),
                          QStringLiteral("3"), QStringLiteral("--json")}));
        QCOMPARE(shown[QStringLiteral("examples")].toArray().size(), 3);
        QCOMPARE(shown[QStringLiteral("examples")].toArray()[0][QStringLiteral("instruction")].toString(),
                 QStringLiteral("Describe a process of making crepes."));
        const QJsonObject searched =
            json(dataset({QStringLiteral("show"), QStringLiteral("alpaca_en_demo"), QStringLiteral("--search"),
                          QStringLiteral("crepes"), QStringLiteral("--json")}));
        QVERIFY(searched[QStringLiteral("matching")].toInt() >= 1);
        QVERIFY(searched[QStringLiteral("matching")].toInt() < 999);

        QTemporaryDir out;
        const QString exported = QDir(out.path()).filePath(QStringLiteral("demo.jsonl"));
        const CliResult exportResult =
            dataset({QStringLiteral("export"), QStringLiteral("alpaca_en_demo"), exported, QStringLiteral("--json")});
        QVERIFY2(exportResult.exitCode == 0, exportResult.err.constData());
        QCOMPARE(json(exportResult)[QStringLiteral("examples")].toInt(), 999);
        const CliResult back = dataset({QStringLiteral("import"), exported, QStringLiteral("--name"),
                                        QStringLiteral("again"), QStringLiteral("--json")});
        QVERIFY2(back.exitCode == 0, back.err.constData());
        QCOMPARE(json(back)[QStringLiteral("format")].toString(), QStringLiteral("studio"));
        QCOMPARE(json(back)[QStringLiteral("imported")].toInt(), 999);
        const QJsonObject first =
            json(dataset({QStringLiteral("show"), QStringLiteral("again"), QStringLiteral("--limit"),
                          QStringLiteral("1"), QStringLiteral("--json")}))[QStringLiteral("examples")]
                .toArray()[0]
                .toObject();
        QCOMPARE(first[QStringLiteral("instruction")].toString(),
                 QStringLiteral("Describe a process of making crepes."));

        // The same name again is refused, naming the way out.
        const CliResult twice = dataset({QStringLiteral("import"), file});
        QCOMPARE(twice.exitCode, 1);
        QVERIFY2(twice.err.contains("--into"), twice.err.constData());
    }

    void importShowsFormatAndMapping()
    {
        QTemporaryDir dir;
        const QString csv = writeFile(dir.path(), QStringLiteral("qa.csv"),
                                      "question,answer,topic\nWhat is 2+2?,4,math\n\"Say \"\"hi\"\"\",hi,chat\n");
        const CliResult result = dataset({QStringLiteral("import"), csv, QStringLiteral("--map"),
                                          QStringLiteral("instruction=question,response=answer,tags=topic")});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QVERIFY2(result.err.contains("Format:") && result.err.contains("csv"), result.err.constData());
        QVERIFY2(result.err.contains("Mapping: instruction=question") && result.err.contains("tags=topic"),
                 result.err.constData());
        QVERIFY2(result.out.contains("imported 2 examples"), result.out.constData());
        const QJsonArray examples = json(dataset(
            {QStringLiteral("show"), QStringLiteral("qa"), QStringLiteral("--json")}))[QStringLiteral("examples")]
                                        .toArray();
        QCOMPARE(examples[1][QStringLiteral("instruction")].toString(), QStringLiteral("Say \"hi\""));
        QCOMPARE(examples[0][QStringLiteral("tags")].toArray()[0].toString(), QStringLiteral("math"));

        QCOMPARE(dataset({QStringLiteral("import"), csv, QStringLiteral("--map"), QStringLiteral("answer=question")})
                     .exitCode,
                 2);
        QCOMPARE(
            dataset({QStringLiteral("import"), csv, QStringLiteral("--format"), QStringLiteral("nonsense")}).exitCode,
            2);
    }

    void badRecordImportsNothingUnlessSkipped()
    {
        QTemporaryDir dir;
        const QString bad = writeFile(dir.path(), QStringLiteral("bad.jsonl"),
                                      "{\"instruction\": \"one\", \"output\": \"1\"}\n"
                                      "{\"instruction\": \"two\", \"output\": \"2\"}\n"
                                      "{\"instruction\": [3], \"output\": \"3\"}\n"
                                      "{\"instruction\": \"four\", \"output\": \"4\"}\n");
        const CliResult failed =
            dataset({QStringLiteral("import"), bad, QStringLiteral("--format"), QStringLiteral("alpaca")});
        QCOMPARE(failed.exitCode, 1);
        QVERIFY2(failed.err.contains("bad.jsonl:3"), failed.err.constData());
        QVERIFY(datasetNamed(json(dataset({QStringLiteral("list"), QStringLiteral("--json")})), QStringLiteral("bad"))
                    .isEmpty());

        const CliResult skipped = dataset({QStringLiteral("import"), bad, QStringLiteral("--format"),
                                           QStringLiteral("alpaca"), QStringLiteral("--skip-bad")});
        QVERIFY2(skipped.exitCode == 0, skipped.err.constData());
        QVERIFY2(skipped.out.contains("imported 3 examples"), skipped.out.constData());
        QVERIFY2(skipped.out.contains("skipped 1 bad records") && skipped.out.contains("bad.jsonl:3"),
                 skipped.out.constData());

        const CliResult missing = dataset({QStringLiteral("import"), QStringLiteral("/nonexistent/data.json")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("/nonexistent/data.json"));
    }

    void curationPreviewsThenApplies()
    {
        QTemporaryDir ws;
        // Validation flags what it finds; the texts stay.
        const QJsonObject validated =
            json(dataset({QStringLiteral("validate"), QStringLiteral("Sample"), QStringLiteral("--json")}, ws.path()));
        QCOMPARE(validated[QStringLiteral("counts")][QStringLiteral("pii")].toInt(), 6);
        QCOMPARE(validated[QStringLiteral("counts")][QStringLiteral("duplicate")].toInt(), 2);
        const QJsonObject flagged =
            json(dataset({QStringLiteral("show"), QStringLiteral("Sample"), QStringLiteral("--flag"),
                          QStringLiteral("pii"), QStringLiteral("--json")},
                         ws.path()));
        QCOMPARE(flagged[QStringLiteral("matching")].toInt(), 6);

        const qint64 before = datasetNamed(json(dataset({QStringLiteral("list"), QStringLiteral("--json")}, ws.path())),
                                           QStringLiteral("Sample"))[QStringLiteral("version")]
                                  .toInteger();
        const QJsonObject preview =
            json(dataset({QStringLiteral("mask-pii"), QStringLiteral("Sample"), QStringLiteral("--json")}, ws.path()));
        QCOMPARE(preview[QStringLiteral("changed")].toArray().size(), 6);
        QCOMPARE(preview[QStringLiteral("applied")].toBool(), false);
        QCOMPARE(preview[QStringLiteral("counts")][QStringLiteral("email")].toInt(), 10);
        QCOMPARE(preview[QStringLiteral("version")].toInteger(), before); // nothing changed yet
        const QJsonObject applied = json(dataset(
            {QStringLiteral("mask-pii"), QStringLiteral("Sample"), QStringLiteral("--apply"), QStringLiteral("--json")},
            ws.path()));
        QCOMPARE(applied[QStringLiteral("version")].toInteger(), before + 1); // one change for all six examples
        QCOMPARE(json(dataset({QStringLiteral("mask-pii"), QStringLiteral("Sample"), QStringLiteral("--json")},
                              ws.path()))[QStringLiteral("changed")]
                     .toArray()
                     .size(),
                 0);

        const QJsonObject dedup =
            json(dataset({QStringLiteral("dedup"), QStringLiteral("Sample"), QStringLiteral("--json")}, ws.path()));
        QCOMPARE(dedup[QStringLiteral("duplicates")].toInt(), 4);
        QCOMPARE(dedup[QStringLiteral("applied")].toBool(), false);
        const QJsonObject removed = json(dataset(
            {QStringLiteral("dedup"), QStringLiteral("Sample"), QStringLiteral("--apply"), QStringLiteral("--json")},
            ws.path()));
        QCOMPARE(removed[QStringLiteral("version")].toInteger(), before + 2);
        QCOMPARE(datasetNamed(json(dataset({QStringLiteral("list"), QStringLiteral("--json")}, ws.path())),
                              QStringLiteral("Sample"))[QStringLiteral("examples")]
                     .toInt(),
                 212);

        const QJsonObject split = json(
            dataset({QStringLiteral("split"), QStringLiteral("Sample"), QStringLiteral("--val"), QStringLiteral("0.25"),
                     QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--json")},
                    ws.path()));
        QCOMPARE(split[QStringLiteral("train")].toInt() + split[QStringLiteral("val")].toInt(), 212);
        QVERIFY(split[QStringLiteral("val")].toInt() >= 45 && split[QStringLiteral("val")].toInt() <= 60);
        const QJsonObject again = json(
            dataset({QStringLiteral("split"), QStringLiteral("Sample"), QStringLiteral("--val"), QStringLiteral("0.25"),
                     QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--json")},
                    ws.path()));
        QCOMPARE(again[QStringLiteral("moved")].toInt(), 0); // seeded: the same assignment
    }

    void statsNeedATokenizer()
    {
        QCOMPARE(dataset({QStringLiteral("stats"), QStringLiteral("Sample")}).exitCode, 2);
        FT_REQUIRE_SHARED();
        const CliResult stats = dataset({QStringLiteral("stats"), QStringLiteral("Sample"), QStringLiteral("--model"),
                                         test::sharedPath(QStringLiteral("fixtures/stories260K/hf")),
                                         QStringLiteral("--bins"), QStringLiteral("8"), QStringLiteral("--json")});
        QVERIFY2(stats.exitCode == 0, stats.err.constData());
        const QJsonObject object = json(stats);
        QVERIFY(object[QStringLiteral("examples")].toInt() >= 212);
        QCOMPARE(object[QStringLiteral("histogram")][QStringLiteral("counts")].toArray().size(), 8);
        QVERIFY(object[QStringLiteral("example_tokens")][QStringLiteral("max")].toInt() >
                object[QStringLiteral("example_tokens")][QStringLiteral("median")].toInt());
    }

    void generateFromATemplate()
    {
        QTemporaryDir dir;
        const QString tpl =
            writeFile(dir.path(), QStringLiteral("words.json"),
                      "{\"instruction\": \"Spell {word} in {case} letters.\", \"response\": \"{word}\", "
                      "\"slots\": {\"word\": [\"cat\", \"dog\"], \"case\": [\"upper\", \"lower\", \"mixed\"]}}");
        const CliResult dry =
            dataset({QStringLiteral("generate"), tpl, QStringLiteral("--dry-run"), QStringLiteral("--json")});
        QCOMPARE(json(dry)[QStringLiteral("examples")].toArray().size(), 6);
        QVERIFY(datasetNamed(json(dataset({QStringLiteral("list"), QStringLiteral("--json")})), QStringLiteral("words"))
                    .isEmpty());
        const CliResult made = dataset({QStringLiteral("generate"), tpl, QStringLiteral("--limit"), QStringLiteral("4"),
                                        QStringLiteral("--json")});
        QVERIFY2(made.exitCode == 0, made.err.constData());
        QCOMPARE(json(made)[QStringLiteral("added")].toInt(), 4);
        const QJsonArray examples = json(dataset(
            {QStringLiteral("show"), QStringLiteral("words"), QStringLiteral("--json")}))[QStringLiteral("examples")]
                                        .toArray();
        QCOMPARE(examples.size(), 4);
        QCOMPARE(examples[0][QStringLiteral("tags")].toArray()[0].toString(), QStringLiteral("synthetic"));
        const QString broken =
            writeFile(dir.path(), QStringLiteral("broken.json"), "{\"instruction\": \"{missing}\", \"slots\": {}}");
        const CliResult error = dataset({QStringLiteral("generate"), broken});
        QCOMPARE(error.exitCode, 1);
        QVERIFY2(error.err.contains("missing"), error.err.constData());
    }

    void fillEmptyResponsesWithAModel()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString tpl = writeFile(dir.path(), QStringLiteral("open.json"),
                                      "{\"instruction\": \"Tell a story about a {animal}.\", \"slots\": {\"animal\": "
                                      "[\"cat\", \"bird\", \"fish\"]}}");
        const QString model = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        const CliResult unfilled = dataset({QStringLiteral("generate"), tpl, QStringLiteral("--name"),
                                            QStringLiteral("stories"), QStringLiteral("--json")});
        QVERIFY2(unfilled.exitCode == 0, unfilled.err.constData());
        QCOMPARE(json(unfilled)[QStringLiteral("empty_responses")].toInt(), 3);
        const CliResult filled =
            dataset({QStringLiteral("generate"), QStringLiteral("--fill"), model, QStringLiteral("--into"),
                     QStringLiteral("stories"), QStringLiteral("--greedy"), QStringLiteral("--max-new-tokens"),
                     QStringLiteral("6"), QStringLiteral("--json")});
        QVERIFY2(filled.exitCode == 0, filled.err.constData());
        QCOMPARE(json(filled)[QStringLiteral("filled")].toInt(), 3);
        for (const QJsonValue& example : json(dataset({QStringLiteral("show"), QStringLiteral("stories"),
                                                       QStringLiteral("--json")}))[QStringLiteral("examples")]
                                             .toArray())
            QVERIFY(!example[QStringLiteral("response")].toString().trimmed().isEmpty());
        // Expansion and filling in one go.
        const CliResult both =
            dataset({QStringLiteral("generate"), tpl, QStringLiteral("--fill"), model, QStringLiteral("--greedy"),
                     QStringLiteral("--max-new-tokens"), QStringLiteral("4"), QStringLiteral("--name"),
                     QStringLiteral("stories 2"), QStringLiteral("--json")});
        QVERIFY2(both.exitCode == 0, both.err.constData());
        QCOMPARE(json(both)[QStringLiteral("filled")].toInt(), 3);
        QCOMPARE(json(both)[QStringLiteral("empty_responses")].toInt(), 0);
    }

    void createAndDeleteAskFirst()
    {
        QVERIFY(dataset({QStringLiteral("create"), QStringLiteral("scratch")}).exitCode == 0);
        QCOMPARE(dataset({QStringLiteral("create"), QStringLiteral("scratch")}).exitCode, 1);
        const CliResult refused =
            dataset({QStringLiteral("delete"), QStringLiteral("scratch")}); // no terminal, no --yes
        QCOMPARE(refused.exitCode, 2);
        QVERIFY(refused.err.contains("--yes"));
        QVERIFY(
            !datasetNamed(json(dataset({QStringLiteral("list"), QStringLiteral("--json")})), QStringLiteral("scratch"))
                 .isEmpty());
        QCOMPARE(dataset({QStringLiteral("delete"), QStringLiteral("scratch"), QStringLiteral("--yes")}).exitCode, 0);
        QVERIFY(
            datasetNamed(json(dataset({QStringLiteral("list"), QStringLiteral("--json")})), QStringLiteral("scratch"))
                .isEmpty());
        const CliResult unknown = dataset({QStringLiteral("show"), QStringLiteral("no such dataset")});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains("no such dataset"));
        QCOMPARE(dataset({QStringLiteral("show"), QStringLiteral("Sample"), QStringLiteral("--sort"),
                          QStringLiteral("nonsense")})
                     .exitCode,
                 2);
        QCOMPARE(dataset({QStringLiteral("frobnicate")}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliDataset)
#include "tst_cli_dataset.moc"
