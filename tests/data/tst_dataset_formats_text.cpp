// The text dataset formats: CSV/TSV with a header and a column mapping, and plain text.
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/dataset_format.h"
#include "dataset_test_util.h"

using namespace ft;
using test::readDataset;
using test::writeBytes;

namespace {

ImportOptions csvOptions(DatasetFormat format = DatasetFormat::Csv)
{
    ImportOptions options;
    options.format = format;
    options.mapping.instruction = QStringLiteral("prompt");
    options.mapping.input = QStringLiteral("context");
    options.mapping.response = QStringLiteral("answer");
    options.mapping.tags = QStringLiteral("category");
    return options;
}

ImportedExample textExample(const QString& response)
{
    ImportedExample e;
    e.record.response = response;
    return e;
}

} // namespace

class TestDatasetFormatsText : public QObject {
    Q_OBJECT
private slots:
    void csvQuotingAndEmbeddedNewlines()
    {
        QTemporaryDir dir;
        // RFC 4180: quoted fields hold commas, doubled quotes and line breaks; CRLF line ends; a BOM.
        const QString path =
            writeBytes(dir, QStringLiteral("d.csv"),
                       "\xEF\xBB\xBFprompt,context,answer,category\r\n"
                       "Say hi,,Hi!,greeting\r\n"
                       "\"Quote, please\",\"He said \"\"yes\"\"\",\"line one\r\nline two\n\nline four\",\"a; b\"\r\n"
                       "\r\n"
                       "Last,ctx,\"done\",\r\n");
        const test::ReadResult r = readDataset(path, csvOptions());
        QCOMPARE(r.examples.size(), size_t(3));
        QCOMPARE(r.examples[0].record.instruction, QStringLiteral("Say hi"));
        QCOMPARE(r.examples[0].record.input, QString());
        QCOMPARE(r.examples[0].record.response, QStringLiteral("Hi!"));
        QCOMPARE(r.examples[0].tags, QStringList{QStringLiteral("greeting")});
        QCOMPARE(r.examples[1].record.instruction, QStringLiteral("Quote, please"));
        QCOMPARE(r.examples[1].record.input, QStringLiteral("He said \"yes\""));
        QCOMPARE(r.examples[1].record.response, QStringLiteral("line one\nline two\n\nline four"));
        QCOMPARE(r.examples[1].tags, QStringList({"a", "b"}));
        QCOMPARE(r.examples[1].source, path + QStringLiteral(":3"));
        QCOMPARE(r.examples[2].source,
                 path + QStringLiteral(":8")); // the record at line 3 spans 4 lines, then a blank line
        QCOMPARE(r.examples[2].record.response, QStringLiteral("done"));
        QCOMPARE(r.bytesRead, r.totalBytes);
    }
    void tsv()
    {
        QTemporaryDir dir;
        const QString path =
            writeBytes(dir, QStringLiteral("d.tsv"), "prompt\tanswer\nA, with comma\tB\n\"quoted\ttab\"\tC\n");
        ImportOptions options;
        options.format = DatasetFormat::Tsv;
        options.mapping.instruction = QStringLiteral("prompt");
        options.mapping.response = QStringLiteral("answer");
        const test::ReadResult r = readDataset(path, options);
        QCOMPARE(r.examples.size(), size_t(2));
        QCOMPARE(r.examples[0].record.instruction, QStringLiteral("A, with comma"));
        QCOMPARE(r.examples[1].record.instruction, QStringLiteral("quoted\ttab"));
        QCOMPARE(r.examples[1].record.response, QStringLiteral("C"));
    }
    void csvErrorsNameTheLine()
    {
        QTemporaryDir dir;
        const QString path =
            writeBytes(dir, QStringLiteral("d.csv"),
                       "prompt,context,answer,category\na,b,c,d\na,b,c\n\"x\"y,b,c,d\na,b,\"never closed,d\n");
        FT_EXPECT_ERROR(readDataset(path, csvOptions()),
                        path + QStringLiteral(":3: expected 4 fields as in the header, found 3"));
        ImportOptions skip = csvOptions();
        skip.skipBadRecords = true;
        const test::ReadResult r = readDataset(path, skip);
        QCOMPARE(r.examples.size(), size_t(1));
        QCOMPARE(r.issues.size(), size_t(3));
        QCOMPARE(r.issues[0].location, path + QStringLiteral(":3"));
        QCOMPARE(r.issues[1].location, path + QStringLiteral(":4"));
        QVERIFY2(r.issues[1].reason.contains(QLatin1String("unexpected 'y' after a closing quote")),
                 qPrintable(r.issues[1].reason));
        QCOMPARE(r.issues[2].location, path + QStringLiteral(":5"));
        QVERIFY2(r.issues[2].reason.contains(QLatin1String("quoted field opened on line 5 is never closed")),
                 qPrintable(r.issues[2].reason));
    }
    void csvMappingErrors()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("d.csv"), "question,reply\nq,r\n");
        FT_EXPECT_ERROR(
            readDataset(path, csvOptions()),
            QStringLiteral("the instruction column \"prompt\" is not in the header (columns: question, reply)"));
        ImportOptions noResponse;
        noResponse.format = DatasetFormat::Csv;
        FT_EXPECT_ERROR(readDataset(path, noResponse), QStringLiteral("no response column"));
        const QString empty = writeBytes(dir, QStringLiteral("e.csv"), "");
        FT_EXPECT_ERROR(readDataset(empty, csvOptions()), empty, QStringLiteral("empty"));
    }
    void csvMappingGuessedFromHeader_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QStringList>("expected"); // instruction, input, response, system, tags
        QTest::newRow("alpaca names") << QByteArray("instruction,input,output")
                                      << QStringList{"instruction", "input", "output", "", ""};
        QTest::newRow("qa") << QByteArray("Question,Answer,Category")
                            << QStringList{"Question", "", "Answer", "", "Category"};
        QTest::newRow("prompt/completion") << QByteArray("id,prompt,completion,system_prompt,tags")
                                           << QStringList{"prompt", "", "completion", "system_prompt", "tags"};
        QTest::newRow("dolly names") << QByteArray("instruction,context,response,category")
                                     << QStringList{"instruction", "context", "response", "", "category"};
        QTest::newRow("text only") << QByteArray("text") << QStringList{"", "", "text", "", ""};
        QTest::newRow("nothing known") << QByteArray("a,b") << QStringList{"", "", "", "", ""};
    }
    void csvMappingGuessedFromHeader()
    {
        QFETCH(QByteArray, header);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("d.csv"),
                                        header + "\n" + QByteArray(",,,,").left(header.count(',')) + "x\n");
        const FormatDetection d = detectDatasetFormat(path);
        QCOMPARE(d.format, DatasetFormat::Csv);
        QCOMPARE(
            QStringList({d.mapping.instruction, d.mapping.input, d.mapping.response, d.mapping.system, d.mapping.tags}),
            expected);
        QCOMPARE(d.columns, QString::fromUtf8(header).split(QLatin1Char(',')));
        QVERIFY(!d.explanation.isEmpty());
        QCOMPARE(d.preview.size(), expected[2].isEmpty() ? size_t(0) : size_t(1));
    }
    void plainTextLinesAndParagraphs()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("t.txt"),
            "\xEF\xBB\xBF"
            "First line.\r\nStill first paragraph.\r\n\r\n  \n\nSecond paragraph.\nThird line of it\n\n\nLast.");
        ImportOptions options;
        options.format = DatasetFormat::PlainText;
        const test::ReadResult paragraphs = readDataset(path, options);
        QCOMPARE(paragraphs.examples.size(), size_t(3));
        QCOMPARE(paragraphs.examples[0].record.response, QStringLiteral("First line.\nStill first paragraph."));
        QCOMPARE(paragraphs.examples[1].record.response, QStringLiteral("Second paragraph.\nThird line of it"));
        QCOMPARE(paragraphs.examples[1].source, path + QStringLiteral(":6"));
        QCOMPARE(paragraphs.examples[2].record.response, QStringLiteral("Last."));
        QVERIFY(paragraphs.examples[2].record.instruction.isEmpty());
        options.textUnit = PlainTextUnit::Line;
        const test::ReadResult lines = readDataset(path, options);
        QCOMPARE(lines.examples.size(), size_t(5));
        QCOMPARE(lines.examples[1].record.response, QStringLiteral("Still first paragraph."));
        QCOMPARE(lines.examples[4].source, path + QStringLiteral(":10"));
        const FormatDetection d = detectDatasetFormat(path);
        QCOMPARE(d.format, DatasetFormat::PlainText);
        QCOMPARE(d.textUnit, PlainTextUnit::Paragraph);
    }
    void delimitedRoundTrip_data()
    {
        QTest::addColumn<int>("format");
        QTest::newRow("csv") << int(DatasetFormat::Csv);
        QTest::newRow("tsv") << int(DatasetFormat::Tsv);
    }
    void delimitedRoundTrip()
    {
        QFETCH(int, format);
        std::vector<ImportedExample> examples(3);
        examples[0].record.instruction = QStringLiteral("Comma, \"quote\"\tand tab");
        examples[0].record.input = QStringLiteral("multi\nline\n\ninput");
        examples[0].record.response = QStringLiteral(" leading and trailing spaces ");
        examples[0].record.system = QStringLiteral("sys");
        examples[0].tags = QStringList({"a", "b"});
        examples[1].record.instruction = QStringLiteral("Ünïcödé");
        examples[1].record.response = QString();
        examples[2].record.instruction = QStringLiteral("\"");
        examples[2].record.response = QStringLiteral("x");
        QTemporaryDir dir;
        const QString path =
            dir.filePath(format == int(DatasetFormat::Csv) ? QStringLiteral("x.csv") : QStringLiteral("x.tsv"));
        writeDataset(path, DatasetFormat(format), examples);
        const FormatDetection d = detectDatasetFormat(path);
        QCOMPARE(int(d.format), format);
        QCOMPARE(d.mapping.system, QStringLiteral("system"));
        const test::ReadResult back = readDataset(path, d.options());
        QCOMPARE(back.examples.size(), examples.size());
        for (size_t i = 0; i < examples.size(); ++i) {
            QCOMPARE(back.examples[i].record.toJson(), examples[i].record.toJson());
            QCOMPARE(back.examples[i].tags, examples[i].tags);
        }
    }
    void plainTextRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.txt"));
        const std::vector<ImportedExample> examples{textExample(QStringLiteral("One paragraph\nof two lines.")),
                                                    textExample(QStringLiteral("Another."))};
        writeDataset(path, DatasetFormat::PlainText, examples);
        const test::ReadResult back = readDataset(path, detectDatasetFormat(path).options());
        QCOMPARE(back.examples.size(), size_t(2));
        QCOMPARE(back.examples[0].record.response, examples[0].record.response);
        QCOMPARE(back.examples[1].record.response, examples[1].record.response);
        // Records plain text cannot hold are refused, naming them.
        ImportedExample withInstruction = textExample(QStringLiteral("x"));
        withInstruction.record.instruction = QStringLiteral("do");
        FT_EXPECT_ERROR(writeDataset(path, DatasetFormat::PlainText, {examples[0], withInstruction}),
                        QStringLiteral("record #1"), QStringLiteral("plain text"));
        FT_EXPECT_ERROR(writeDataset(path, DatasetFormat::PlainText, {textExample(QStringLiteral("a\n\nb"))}),
                        QStringLiteral("record #0"), QStringLiteral("blank line"));
        FT_EXPECT_ERROR(writeDataset(path, DatasetFormat::Csv, {[] {
                                         ImportedExample e;
                                         e.record.turns = {{ChatTurn::Role::User, QStringLiteral("q")},
                                                           {ChatTurn::Role::Assistant, QStringLiteral("a")}};
                                         return e;
                                     }()}),
                        QStringLiteral("multi-turn"));
    }
};

QTEST_APPLESS_MAIN(TestDatasetFormatsText)
#include "tst_dataset_formats_text.moc"
