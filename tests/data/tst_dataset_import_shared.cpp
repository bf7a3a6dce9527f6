// Importing the real public datasets in ../shared/datasets: counts and spot-checked content.
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/dataset_format.h"
#include "dataset_test_util.h"
#include "support/test_support.h"

using namespace ft;

namespace {
QString dataset(const char* name) { return test::sharedPath(QStringLiteral("datasets/") + QLatin1String(name)); }
} // namespace

class TestDatasetImportShared : public QObject {
    Q_OBJECT
private slots:
    void alpacaDemo()
    {
        FT_REQUIRE_SHARED();
        const QString path = dataset("alpaca_en_demo.json");
        const test::ReadResult r = test::readDataset(path, DatasetFormat::Alpaca);
        QCOMPARE(r.examples.size(), size_t(999));
        QCOMPARE(r.counts.records, 999);
        QCOMPARE(r.counts.multiTurn, 0);
        QVERIFY(r.issues.empty());
        QCOMPARE(r.bytesRead, r.totalBytes);
        const ExampleRecord& first = r.examples.front().record;
        QCOMPARE(first.instruction, QStringLiteral("Describe a process of making crepes."));
        QCOMPARE(first.input, QString());
        QVERIFY(first.response.startsWith(QStringLiteral("Making crepes is an easy and delicious process!")));
        const ExampleRecord& last = r.examples.back().record;
        QCOMPARE(last.instruction, QStringLiteral("Paraphrase the sentence to remove the cliche."));
        QCOMPARE(last.input, QStringLiteral("Time waits for no one."));
        QCOMPARE(last.response, QStringLiteral("No one can stop time from moving forward."));
        QCOMPARE(r.examples.back().source, path + QStringLiteral("#998"));
        int withInput = 0;
        for (const ImportedExample& e : r.examples)
            withInput += e.record.input.isEmpty() ? 0 : 1;
        QCOMPARE(withInput, 412);
    }
    void gsm8k()
    {
        FT_REQUIRE_SHARED();
        const test::ReadResult r = test::readDataset(dataset("gsm8k_alpaca.json"), DatasetFormat::Alpaca);
        QCOMPARE(r.examples.size(), size_t(7473));
        QVERIFY(r.examples.front().record.instruction.startsWith(
            QStringLiteral("Natalia sold clips to 48 of her friends in April")));
        QCOMPARE(
            r.examples.front().record.response,
            QStringLiteral(
                "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and May."));
        QCOMPARE(r.examples.back().record.instruction,
                 QStringLiteral("At 30, Anika is 4/3 the age of Maddie. What would be their average age in 15 years?"));
        QVERIFY(r.examples.back().record.response.endsWith(
            QStringLiteral("Their average age in 15 years will be 100/2=50")));
    }
    void glaiveToolCalls()
    {
        FT_REQUIRE_SHARED();
        const test::ReadResult r = test::readDataset(dataset("glaive_toolcall_sharegpt.json"), DatasetFormat::ShareGpt);
        QCOMPARE(r.examples.size(), size_t(300));
        QCOMPARE(r.counts.multiTurn, 261);       // 39 conversations are a single exchange
        QCOMPARE(r.counts.toolCalls, 211);       // every "function_call" turn
        QCOMPARE(r.counts.toolResults, 211);     // every "observation" turn
        QCOMPARE(r.counts.toolDefinitions, 191); // records whose "tools" is not "[]"
        const ExampleRecord& first = r.examples.front().record;
        QCOMPARE(first.turns.size(), size_t(8)); // human gpt human function_call observation gpt human gpt
        QCOMPARE(first.turns[3].role, ChatTurn::Role::Assistant);
        QVERIFY(first.turns[3].content.startsWith(QStringLiteral("<tool_call>\n{\"name\": \"search_recipes\"")));
        QVERIFY(first.turns[3].content.endsWith(QStringLiteral("\n</tool_call>")));
        QCOMPARE(first.turns[4].role, ChatTurn::Role::User);
        QVERIFY(first.turns[4].content.startsWith(QStringLiteral("<tool_response>\n{\"recipes\"")));
        QVERIFY(first.system.startsWith(QStringLiteral("<tools>\n[{\"name\": \"search_recipes\"")));
        QCOMPARE(
            first.turns[0].content,
            QStringLiteral("Hi, I have some ingredients and I want to cook something. Can you help me find a recipe?"));
        const ExampleRecord& last = r.examples.back().record;
        QCOMPARE(last.turns.size(), size_t(4));
        QCOMPARE(last.system, QString()); // its tools are "[]"
        QVERIFY(last.turns.back().content.endsWith(
            QStringLiteral("the first iteration is guaranteed to happen regardless of the condition.")));
        // A single exchange becomes an instruction/response record.
        const ExampleRecord& single = r.examples[22].record;
        QVERIFY(!single.isMultiTurn());
        QCOMPARE(single.instruction, QStringLiteral("Can you please order a pizza for me?"));
        QVERIFY(single.system.contains(QStringLiteral("create_calendar_event")));
    }
    void chatTiny()
    {
        FT_REQUIRE_SHARED();
        const test::ReadResult r = test::readDataset(dataset("chat_tiny_sharegpt.json"), DatasetFormat::ShareGpt);
        QCOMPARE(r.examples.size(), size_t(1));
        QCOMPARE(r.counts.multiTurn, 1);
        const ExampleRecord& record = r.examples.front().record;
        QCOMPARE(record.system, QStringLiteral("You are an AI assistant."));
        QCOMPARE(record.turns.size(), size_t(4));
        QCOMPARE(record.turns[0].content, QStringLiteral("What is the meaning of life?"));
        QCOMPARE(record.turns[1].content, QStringLiteral("The meaning of life is 42."));
        QCOMPARE(record.turns[2].content, QStringLiteral("That's ridiculous."));
        QCOMPARE(record.turns[3].content, QStringLiteral("I agree."));
    }
    void wikiText()
    {
        FT_REQUIRE_SHARED();
        const QString path = dataset("wiki_demo.txt");
        ImportOptions options;
        options.format = DatasetFormat::PlainText;
        options.textUnit = PlainTextUnit::Line;
        const test::ReadResult lines = test::readDataset(path, options);
        QCOMPARE(lines.examples.size(), size_t(30)); // 30 articles, one per line, no blank lines
        QVERIFY(lines.examples.front().record.response.startsWith(
            QStringLiteral("Anarchism is a political philosophy and movement")));
        QVERIFY(lines.examples.back().record.response.endsWith(QStringLiteral("Writers from Las Vegas")));
        QCOMPARE(lines.examples.back().source, path + QStringLiteral(":30"));
        QVERIFY(lines.examples.front().record.instruction.isEmpty());
        options.textUnit = PlainTextUnit::Paragraph;
        const test::ReadResult paragraphs = test::readDataset(path, options);
        QCOMPARE(paragraphs.examples.size(), size_t(1)); // without blank lines the file is one paragraph
        QCOMPARE(paragraphs.examples.front().record.response.count(QLatin1Char('\n')), 29);
        // Detection picks one example per line for a file without blank lines.
        const FormatDetection d = detectDatasetFormat(path);
        QCOMPARE(d.format, DatasetFormat::PlainText);
        QCOMPARE(d.textUnit, PlainTextUnit::Line);
        QCOMPARE(d.preview.size(), size_t(5));
    }
    void detection_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::newRow("alpaca") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Alpaca);
        QTest::newRow("gsm8k") << QStringLiteral("gsm8k_alpaca.json") << int(DatasetFormat::Alpaca);
        QTest::newRow("glaive") << QStringLiteral("glaive_toolcall_sharegpt.json") << int(DatasetFormat::ShareGpt);
        QTest::newRow("chat_tiny") << QStringLiteral("chat_tiny_sharegpt.json") << int(DatasetFormat::ShareGpt);
        QTest::newRow("wiki") << QStringLiteral("wiki_demo.txt") << int(DatasetFormat::PlainText);
    }
    void detection()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, file);
        QFETCH(int, format);
        const FormatDetection d = detectDatasetFormat(test::sharedPath(QStringLiteral("datasets/") + file), 3);
        QCOMPARE(int(d.format), format);
        QVERIFY(!d.explanation.isEmpty());
        QVERIFY2(!d.explanation.contains(QLatin1String("could not")), qPrintable(d.explanation));
        QCOMPARE(d.preview.size(), file.startsWith(QLatin1String("chat_tiny")) ? size_t(1) : size_t(3));
    }
    // Each real dataset written in its own format and read back gives the same records.
    void roundTripInOwnFormat_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("outName");
        QTest::newRow("alpaca") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Alpaca)
                                << QStringLiteral("out.json");
        QTest::newRow("gsm8k-jsonl") << QStringLiteral("gsm8k_alpaca.json") << int(DatasetFormat::Alpaca)
                                     << QStringLiteral("out.jsonl");
        QTest::newRow("glaive") << QStringLiteral("glaive_toolcall_sharegpt.json") << int(DatasetFormat::ShareGpt)
                                << QStringLiteral("out.json");
        QTest::newRow("glaive-as-studio") << QStringLiteral("glaive_toolcall_sharegpt.json")
                                          << int(DatasetFormat::Studio) << QStringLiteral("out.jsonl");
        QTest::newRow("glaive-as-openai") << QStringLiteral("glaive_toolcall_sharegpt.json")
                                          << int(DatasetFormat::OpenAiChat) << QStringLiteral("out.jsonl");
        QTest::newRow("alpaca-as-csv") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Csv)
                                       << QStringLiteral("out.csv");
        QTest::newRow("alpaca-as-dolly") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Dolly)
                                         << QStringLiteral("out.jsonl");
        QTest::newRow("alpaca-as-tsv") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Tsv)
                                       << QStringLiteral("out.tsv");
        QTest::newRow("chat_tiny-as-alpaca")
            << QStringLiteral("chat_tiny_sharegpt.json") << int(DatasetFormat::Alpaca) << QStringLiteral("out.json");
        QTest::newRow("wiki-as-text") << QStringLiteral("wiki_demo.txt") << int(DatasetFormat::PlainText)
                                      << QStringLiteral("out.txt");
    }
    void roundTripInOwnFormat()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, file);
        QFETCH(int, format);
        QFETCH(QString, outName);
        const QString path = test::sharedPath(QStringLiteral("datasets/") + file);
        const test::ReadResult original = test::readDataset(path, detectDatasetFormat(path).options());
        QTemporaryDir dir;
        const QString out = dir.filePath(outName);
        writeDataset(out, DatasetFormat(format), original.examples);
        ImportOptions options = detectDatasetFormat(out).options();
        QCOMPARE(int(options.format), format);
        const test::ReadResult back = test::readDataset(out, options);
        QCOMPARE(back.examples.size(), original.examples.size());
        for (size_t i = 0; i < back.examples.size(); ++i) {
            const ExampleRecord& a = original.examples[i].record;
            const ExampleRecord& b = back.examples[i].record;
            QCOMPARE(b.toJson(), a.toJson());
        }
    }
};

QTEST_APPLESS_MAIN(TestDatasetImportShared)
#include "tst_dataset_import_shared.moc"
