// The JSON dataset formats: Alpaca (array and JSONL), Dolly, ShareGPT, OpenAI chat, studio JSONL.
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/dataset_format.h"
#include "dataset_test_util.h"

using namespace ft;
using test::readDataset;
using test::writeBytes;

namespace {

ExampleRecord pair(const QString& instruction, const QString& input, const QString& response,
                   const QString& system = {})
{
    ExampleRecord r;
    r.instruction = instruction;
    r.input = input;
    r.response = response;
    r.system = system;
    return r;
}

ExampleRecord conversation(std::initializer_list<const char*> texts, const QString& system = {})
{
    ExampleRecord r;
    r.system = system;
    int i = 0;
    for (const char* text : texts)
        r.turns.push_back({i++ % 2 == 0 ? ChatTurn::Role::User : ChatTurn::Role::Assistant, QString::fromUtf8(text)});
    return r;
}

ImportedExample imported(const ExampleRecord& record, const QStringList& tags = {})
{
    ImportedExample e;
    e.record = record;
    e.tags = tags;
    return e;
}

} // namespace

class TestDatasetFormatsJson : public QObject {
    Q_OBJECT
private slots:
    void formatNames()
    {
        QCOMPARE(datasetFormatNames(),
                 QStringList({"studio", "alpaca", "dolly", "sharegpt", "openai", "preference", "csv", "tsv", "text"}));
        for (const QString& name : datasetFormatNames())
            QCOMPARE(datasetFormatName(*datasetFormatFromName(name)), name);
        QVERIFY(!datasetFormatFromName(QStringLiteral("parquet")).has_value());
    }
    void alpacaArrayAndLines()
    {
        QTemporaryDir dir;
        const QByteArray array = R"([
  {"instruction": "Add.", "input": "2 and 3", "output": "5"},
  {"instruction": "Greet.", "output": "Hello!", "system": "Be brief."}
])";
        const QString arrayPath = writeBytes(dir, QStringLiteral("a.json"), array);
        const test::ReadResult a = readDataset(arrayPath, DatasetFormat::Alpaca);
        QCOMPARE(a.examples.size(), size_t(2));
        QCOMPARE(a.examples[0].record.input, QStringLiteral("2 and 3"));
        QCOMPARE(a.examples[0].record.response, QStringLiteral("5"));
        QCOMPARE(a.examples[1].record.system, QStringLiteral("Be brief."));
        QCOMPARE(a.examples[1].source, arrayPath + QStringLiteral("#1"));

        const QString linesPath =
            writeBytes(dir, QStringLiteral("a.jsonl"),
                       "{\"instruction\": \"Add.\", \"input\": \"2 and 3\", \"output\": \"5\"}\n\n"
                       "{\"instruction\": \"Greet.\", \"input\": \"\", \"output\": \"Hello!\"}\n");
        const test::ReadResult l = readDataset(linesPath, DatasetFormat::Alpaca);
        QCOMPARE(l.examples.size(), size_t(2));
        QCOMPARE(l.examples[1].source, linesPath + QStringLiteral(":3")); // the blank line 2 is skipped
        QCOMPARE(l.examples[1].record.response, QStringLiteral("Hello!"));
    }
    void alpacaHistoryIsAConversation()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("h.json"),
                                        R"([{"instruction": "And 3+3?", "input": "", "output": "6",
                                             "history": [["What is 1+1?", "2"], ["And 2+2?", "4"]]}])");
        const test::ReadResult r = readDataset(path, DatasetFormat::Alpaca);
        QCOMPARE(r.counts.multiTurn, 1);
        const ExampleRecord& record = r.examples.front().record;
        QCOMPARE(record.turns.size(), size_t(6));
        QCOMPARE(record.turns[0].content, QStringLiteral("What is 1+1?"));
        QCOMPARE(record.turns[4].content, QStringLiteral("And 3+3?"));
        QCOMPARE(record.turns[5].content, QStringLiteral("6"));
    }
    void alpacaWrongFieldTypeNamesTheRecord()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("bad.json"),
            "[\n  {\"instruction\": \"a\", \"output\": \"b\"},\n  {\"instruction\": \"c\",\n   \"output\": 42}\n]\n");
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::Alpaca), path + QStringLiteral("#1"), QStringLiteral("line 3"),
                        QStringLiteral("field \"output\" must be a string, found a number"));
        const QString missing =
            writeBytes(dir, QStringLiteral("missing.jsonl"), "{\"instruction\": \"a\", \"response\": \"b\"}\n");
        FT_EXPECT_ERROR(readDataset(missing, DatasetFormat::Alpaca), missing + QStringLiteral(":1"),
                        QStringLiteral("missing field \"output\""));
    }
    void dollyMapsContextAndCategory()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("d.jsonl"),
            R"({"instruction": "Who wrote it?", "context": "Hamlet is a play by Shakespeare.", "response": "Shakespeare.", "category": "closed_qa"})"
            "\n"
            R"({"instruction": "Name a fruit.", "context": "", "response": "Apple.", "category": "brainstorming"})");
        const test::ReadResult r = readDataset(path, DatasetFormat::Dolly);
        QCOMPARE(r.examples.size(), size_t(2));
        QCOMPARE(r.examples[0].record.input, QStringLiteral("Hamlet is a play by Shakespeare."));
        QCOMPARE(r.examples[0].record.response, QStringLiteral("Shakespeare."));
        QCOMPARE(r.examples[0].tags, QStringList{QStringLiteral("closed_qa")});
        QCOMPARE(r.examples[1].tags, QStringList{QStringLiteral("brainstorming")});
    }
    void shareGptSingleAndMultiTurn()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("s.json"),
            "[\n"
            "  {\"conversations\": [{\"from\": \"human\", \"value\": \"Hi\"}, {\"from\": \"gpt\", \"value\": "
            "\"Hello\"}], \"system\": \"Be kind.\"},\n"
            "  {\"conversations\": [{\"from\": \"system\", \"value\": \"Sys\"}, {\"from\": \"user\", \"value\": "
            "\"Q1\"}, {\"from\": \"assistant\", \"value\": \"A1\"},\n"
            "                     {\"from\": \"human\", \"value\": \"Q2\"}, {\"from\": \"gpt\", \"value\": \"A2\"}]},\n"
            "  {\"conversations\": [{\"from\": \"human\", \"value\": \"Weather?\"}, {\"from\": \"function_call\", "
            "\"value\": \"{\\\"name\\\": \\\"weather\\\"}\"},\n"
            "                     {\"from\": \"observation\", \"value\": \"{\\\"t\\\": 20}\"}, {\"from\": \"gpt\", "
            "\"value\": \"20 degrees.\"}],\n"
            "   \"tools\": \"[{\\\"name\\\": \\\"weather\\\"}]\"}\n"
            "]");
        const test::ReadResult r = readDataset(path, DatasetFormat::ShareGpt);
        QCOMPARE(r.examples.size(), size_t(3));
        const ExampleRecord& single = r.examples[0].record;
        QVERIFY(!single.isMultiTurn());
        QCOMPARE(single.instruction, QStringLiteral("Hi"));
        QCOMPARE(single.response, QStringLiteral("Hello"));
        QCOMPARE(single.system, QStringLiteral("Be kind."));
        const ExampleRecord& multi = r.examples[1].record;
        QCOMPARE(multi.system, QStringLiteral("Sys"));
        QCOMPARE(multi.turns.size(), size_t(4));
        QCOMPARE(multi.turns[3].content, QStringLiteral("A2"));
        const ExampleRecord& tools = r.examples[2].record;
        QCOMPARE(tools.turns.size(), size_t(4));
        QCOMPARE(tools.turns[1].content, QStringLiteral("<tool_call>\n{\"name\": \"weather\"}\n</tool_call>"));
        QCOMPARE(tools.turns[2].content, QStringLiteral("<tool_response>\n{\"t\": 20}\n</tool_response>"));
        QCOMPARE(tools.system, QStringLiteral("<tools>\n[{\"name\": \"weather\"}]\n</tools>"));
        QCOMPARE(r.counts.multiTurn, 2);
        QCOMPARE(r.counts.toolCalls, 1);
        QCOMPARE(r.counts.toolResults, 1);
        QCOMPARE(r.counts.toolDefinitions, 1);
    }
    void shareGptBadConversationsAreNamed_data()
    {
        QTest::addColumn<QByteArray>("record");
        QTest::addColumn<QString>("expected");
        QTest::newRow("two users")
            << QByteArray(
                   R"({"conversations": [{"from": "human", "value": "a"}, {"from": "human", "value": "b"}, {"from": "gpt", "value": "c"}]})")
            << QStringLiteral("conversations[1] (\"human\"): expected an assistant message");
        QTest::newRow("ends with user")
            << QByteArray(
                   R"({"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}, {"from": "human", "value": "c"}]})")
            << QStringLiteral("ends with a user message");
        QTest::newRow("starts with gpt")
            << QByteArray(R"({"conversations": [{"from": "gpt", "value": "a"}, {"from": "human", "value": "b"}]})")
            << QStringLiteral("must start with a user message");
        QTest::newRow("unknown speaker") << QByteArray(R"({"conversations": [{"from": "narrator", "value": "a"}]})")
                                         << QStringLiteral("unknown speaker \"narrator\"");
        QTest::newRow("value not string")
            << QByteArray(R"({"conversations": [{"from": "human", "value": ["a"]}]})")
            << QStringLiteral("conversations[0]: field \"value\" must be a string, found an array");
        QTest::newRow("no conversations")
            << QByteArray(R"({"messages": []})") << QStringLiteral("missing field \"conversations\"");
        QTest::newRow("late system")
            << QByteArray(
                   R"({"conversations": [{"from": "human", "value": "a"}, {"from": "system", "value": "s"}, {"from": "gpt", "value": "b"}]})")
            << QStringLiteral("system message is only allowed before the first user message");
    }
    void shareGptBadConversationsAreNamed()
    {
        QFETCH(QByteArray, record);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("s.jsonl"),
                                        "{\"conversations\": [{\"from\": \"human\", \"value\": \"ok\"}, {\"from\": "
                                        "\"gpt\", \"value\": \"ok\"}]}\n" +
                                            record + "\n");
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::ShareGpt), path + QStringLiteral(":2: "), expected);
        // Skipping goes on past it and lists it.
        const test::ReadResult r = readDataset(path, DatasetFormat::ShareGpt, /*skipBad=*/true);
        QCOMPARE(r.examples.size(), size_t(1));
        QCOMPARE(r.issues.size(), size_t(1));
        QCOMPARE(r.issues[0].location, path + QStringLiteral(":2"));
        QVERIFY2(r.issues[0].reason.contains(expected), qPrintable(r.issues[0].reason));
        QCOMPARE(r.counts.skipped, 1);
    }
    void openAiChat()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("o.jsonl"),
            R"({"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]})"
            "\n"
            R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]}, {"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Bye!"}]})"
            "\n"
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Time in Paris?\"}, {\"role\": \"assistant\", "
            "\"content\": null, \"tool_calls\": [{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": "
            "\"time\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]}, {\"role\": \"tool\", \"tool_call_id\": "
            "\"c1\", \"content\": \"14:00\"}, {\"role\": \"assistant\", \"content\": \"It is 14:00.\"}], \"tools\": "
            "[{\"type\": \"function\", \"function\": {\"name\": \"time\"}}]}"
            "\n");
        const test::ReadResult r = readDataset(path, DatasetFormat::OpenAiChat);
        QCOMPARE(r.examples.size(), size_t(3));
        QCOMPARE(r.examples[0].record.system, QStringLiteral("You are terse."));
        QCOMPARE(r.examples[0].record.instruction, QStringLiteral("2+2?"));
        QCOMPARE(r.examples[0].record.response, QStringLiteral("4"));
        QCOMPARE(r.examples[1].record.turns.size(), size_t(4));
        QCOMPARE(r.examples[1].record.turns[0].content, QStringLiteral("Hello"));
        const ExampleRecord& tool = r.examples[2].record;
        QCOMPARE(tool.turns[1].content,
                 QStringLiteral("<tool_call>\n{\"arguments\":{\"city\":\"Paris\"},\"name\":\"time\"}\n</tool_call>"));
        QCOMPARE(tool.turns[2].content, QStringLiteral("<tool_response>\n14:00\n</tool_response>"));
        QCOMPARE(tool.system,
                 QStringLiteral("<tools>\n[{\"function\":{\"name\":\"time\"},\"type\":\"function\"}]\n</tools>"));
        QCOMPARE(r.counts.toolCalls, 1);
        QCOMPARE(r.counts.toolResults, 1);

        const QString bad =
            writeBytes(dir, QStringLiteral("bad.jsonl"), R"({"messages": [{"role": "robot", "content": "x"}]})");
        FT_EXPECT_ERROR(readDataset(bad, DatasetFormat::OpenAiChat), bad + QStringLiteral(":1"),
                        QStringLiteral("unknown role \"robot\""));
    }
    // Text parts come in three spellings; other parts are refused by their type, and a text part
    // without text says which field it looked for.
    void openAiContentParts()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("p.jsonl"),
            R"({"messages": [{"role": "user", "content": [{"type": "text", "value": "A"}, {"type": "text", "text": {"value": "B", "annotations": []}}]}, {"role": "assistant", "content": [{"type": "text", "text": "C"}]}]})");
        const test::ReadResult r = readDataset(path, DatasetFormat::OpenAiChat);
        QCOMPARE(r.examples.size(), size_t(1));
        QCOMPARE(r.examples[0].record.instruction, QStringLiteral("AB"));
        QCOMPARE(r.examples[0].record.response, QStringLiteral("C"));

        const auto refused = [&](const QByteArray& part) {
            return writeBytes(dir, QStringLiteral("r.jsonl"),
                              R"({"messages": [{"role": "user", "content": [)" + part +
                                  R"(]}, {"role": "assistant", "content": "x"}]})");
        };
        const QString image = refused(R"({"type": "text", "text": "a"}, {"type": "image_url", "image_url": {}})");
        FT_EXPECT_ERROR(readDataset(image, DatasetFormat::OpenAiChat), image + QStringLiteral(":1"),
                        QStringLiteral("content part #2 has type \"image_url\"; only text parts can be imported"));
        const QString empty = refused(R"({"type": "text", "content": "a"})");
        FT_EXPECT_ERROR(readDataset(empty, DatasetFormat::OpenAiChat),
                        QStringLiteral("content part #1 is a text part without its text"), QStringLiteral("neither"));
        const QString number = refused(R"({"type": "text", "text": 5})");
        FT_EXPECT_ERROR(readDataset(number, DatasetFormat::OpenAiChat), QStringLiteral("\"text\" as a number"));
        const QString untyped = refused(R"({"text": "a"})");
        FT_EXPECT_ERROR(readDataset(untyped, DatasetFormat::OpenAiChat), QStringLiteral("has no \"type\""));
        const QString notObject = refused(R"("a")");
        FT_EXPECT_ERROR(readDataset(notObject, DatasetFormat::OpenAiChat),
                        QStringLiteral("content part #1 must be an object"));
    }
    void studioRecordsWithTagsAndEmptyResponses()
    {
        QTemporaryDir dir;
        const QString path = writeBytes(
            dir, QStringLiteral("s.jsonl"),
            R"({"instruction": "a", "input": "", "response": "b", "tags": ["math", "pii"]})"
            "\n"
            R"({"instruction": "fill me", "response": ""})"
            "\n"
            R"({"turns": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "r"}, {"role": "user", "content": "q2"}, {"role": "assistant", "content": "r2"}]})"
            "\n");
        const test::ReadResult r = readDataset(path, DatasetFormat::Studio);
        QCOMPARE(r.examples.size(), size_t(3));
        QCOMPARE(r.examples[0].tags, QStringList({"math", "pii"}));
        QCOMPARE(r.examples[1].record.response, QString()); // kept, for the validator and the response filler
        QCOMPARE(r.examples[2].record.turns.size(), size_t(4));
        const QString bad =
            writeBytes(dir, QStringLiteral("bad.jsonl"), R"({"instruction": "a", "response": "b", "system": 5})");
        FT_EXPECT_ERROR(readDataset(bad, DatasetFormat::Studio),
                        bad + QStringLiteral(":1: field \"system\" must be a string"));
    }
    // Every JSON format written and read back keeps every record (and the tags where it has them).
    void roundTrip_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("conversations");
        QTest::newRow("alpaca array") << int(DatasetFormat::Alpaca) << QStringLiteral("x.json") << true;
        QTest::newRow("alpaca jsonl") << int(DatasetFormat::Alpaca) << QStringLiteral("x.jsonl") << true;
        QTest::newRow("dolly") << int(DatasetFormat::Dolly) << QStringLiteral("x.jsonl") << false;
        QTest::newRow("sharegpt array") << int(DatasetFormat::ShareGpt) << QStringLiteral("x.json") << true;
        QTest::newRow("sharegpt jsonl") << int(DatasetFormat::ShareGpt) << QStringLiteral("x.jsonl") << true;
        QTest::newRow("openai") << int(DatasetFormat::OpenAiChat) << QStringLiteral("x.jsonl") << true;
        QTest::newRow("studio") << int(DatasetFormat::Studio) << QStringLiteral("x.jsonl") << true;
    }
    void roundTrip()
    {
        QFETCH(int, format);
        QFETCH(QString, name);
        QFETCH(bool, conversations);
        const DatasetFormat f = DatasetFormat(format);
        const bool hasSystem = f != DatasetFormat::Dolly;
        const bool keepsInput = f == DatasetFormat::Alpaca || f == DatasetFormat::Dolly || f == DatasetFormat::Studio;
        std::vector<ImportedExample> examples{
            imported(pair(QStringLiteral("Quote \"this\" \\ and\ttab"),
                          keepsInput ? QStringLiteral("input\nline 2") : QString(),
                          QString::fromUtf8("\xc3\x9cn\xc3\xaf"
                                            "c\xc3\xb6"
                                            "d\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x99\x82\r\nand a \x01 control"),
                          hasSystem ? QStringLiteral("Be brief.") : QString()),
                     {QStringLiteral("math")}),
            imported(pair(QStringLiteral("Empty response"), QString(), QString())),
        };
        if (conversations) {
            ExampleRecord tools = conversation({"Weather?", "<tool_call>\n{\"name\": \"w\"}\n</tool_call>",
                                                "<tool_response>\n{\"t\": 1}\n</tool_response>", "Cold."},
                                               QStringLiteral("Sys\n\n<tools>\n[{\"name\": \"w\"}]\n</tools>"));
            examples.push_back(imported(conversation({"Q1", "A1", "Q2", "A2"}, QStringLiteral("S"))));
            examples.push_back(imported(tools));
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(name);
        writeDataset(path, f, examples);
        QCOMPARE(int(detectDatasetFormat(path).format), format);
        const test::ReadResult back = readDataset(path, f);
        QCOMPARE(back.examples.size(), examples.size());
        for (size_t i = 0; i < examples.size(); ++i) {
            QCOMPARE(back.examples[i].record.toJson(), examples[i].record.toJson());
            if (f != DatasetFormat::OpenAiChat)
                QCOMPARE(back.examples[i].tags, examples[i].tags);
        }
    }
    void shareGptExportRestoresToolSpeakers()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.json"));
        writeDataset(path, DatasetFormat::ShareGpt,
                     {imported(conversation({"Weather?", "<tool_call>\n{\"name\": \"w\"}\n</tool_call>",
                                             "<tool_response>\n{\"t\": 1}\n</tool_response>", "Cold."},
                                            QStringLiteral("<tools>\n[]x\n</tools>")))});
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY2(text.contains("{\"from\": \"function_call\", \"value\": \"{\\\"name\\\": \\\"w\\\"}\"}"),
                 text.constData());
        QVERIFY2(text.contains("{\"from\": \"observation\", \"value\": \"{\\\"t\\\": 1}\"}"), text.constData());
        QVERIFY2(text.contains(R"("tools": "[]x")"), text.constData());
        QVERIFY2(!text.contains("system"), text.constData());
    }
    // DPO's usual records: prompt/chosen/rejected as strings, or as TRL's conversational message lists
    // (with or without "prompt"), become instruction/response/rejected with the system prompt apart.
    void preferencePairs()
    {
        QTemporaryDir dir;
        const QByteArray lines =
            R"({"prompt": "Name a colour.", "chosen": "Blue.", "rejected": "Seven.", "tags": ["colours"]})"
            "\n"
            R"({"prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}],)"
            R"( "chosen": [{"role": "assistant", "content": "4"}], "rejected": [{"role": "assistant", "content": "5"}]})"
            "\n"
            R"({"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],)"
            R"( "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}]})"
            "\n";
        const QString path = writeBytes(dir, QStringLiteral("pairs.jsonl"), lines);
        const FormatDetection detected = detectDatasetFormat(path);
        QCOMPARE(detected.format, DatasetFormat::Preference);
        QVERIFY2(detected.explanation.contains(QStringLiteral("\"chosen\" and \"rejected\"")),
                 qPrintable(detected.explanation));
        const test::ReadResult read = readDataset(path, DatasetFormat::Preference);
        QCOMPARE(read.examples.size(), size_t(3));
        const ExampleRecord& a = read.examples[0].record;
        QCOMPARE(a.instruction, QStringLiteral("Name a colour."));
        QCOMPARE(a.response, QStringLiteral("Blue."));
        QCOMPARE(a.rejected, QStringLiteral("Seven."));
        QVERIFY(a.isPreferencePair());
        QCOMPARE(read.examples[0].tags, QStringList{QStringLiteral("colours")});
        const ExampleRecord& b = read.examples[1].record;
        QCOMPARE(b.system, QStringLiteral("Be brief."));
        QCOMPARE(b.instruction, QStringLiteral("2+2?"));
        QCOMPARE(b.response, QStringLiteral("4"));
        QCOMPARE(b.rejected, QStringLiteral("5"));
        const ExampleRecord& c = read.examples[2].record;
        QCOMPARE(c.instruction, QStringLiteral("Hi"));
        QCOMPARE(c.response, QStringLiteral("Hello!"));
        QCOMPARE(c.rejected, QStringLiteral("Go away."));

        // Written back as preference pairs and as the studio's JSONL, nothing is lost.
        for (const DatasetFormat format : {DatasetFormat::Preference, DatasetFormat::Studio}) {
            const QString out = dir.filePath(QStringLiteral("out-%1.jsonl").arg(datasetFormatName(format)));
            writeDataset(out, format, read.examples);
            QCOMPARE(detectDatasetFormat(out).format, format);
            const test::ReadResult back = readDataset(out, format);
            QCOMPARE(back.examples.size(), read.examples.size());
            for (size_t i = 0; i < back.examples.size(); ++i)
                QCOMPARE(back.examples[i].record.toJson(), read.examples[i].record.toJson());
        }
        // An example without a rejected answer has no place in a preference file.
        FT_EXPECT_ERROR(writeDataset(dir.filePath(QStringLiteral("x.jsonl")), DatasetFormat::Preference,
                                     {imported(pair("a", "", "b"))}),
                        QStringLiteral("record #0"), QStringLiteral("no rejected answer"));
    }
    void badPreferencePairsAreNamed_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no rejected") << QByteArray(R"({"prompt": "p", "chosen": "a"})") << "missing field \"rejected\"";
        QTest::newRow("same answers") << QByteArray(R"({"prompt": "p", "chosen": "a", "rejected": "a"})")
                                      << "are the same answer";
        QTest::newRow("empty rejected") << QByteArray(R"({"prompt": "p", "chosen": "a", "rejected": " "})")
                                        << "field \"rejected\" is empty";
        QTest::newRow("no prompt") << QByteArray(R"({"chosen": "a", "rejected": "b"})") << "no prompt";
        QTest::newRow("different histories")
            << QByteArray(R"({"chosen": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "a"}],)"
                          R"( "rejected": [{"role": "user", "content": "y"}, {"role": "assistant", "content": "b"}]})")
            << "differ before their last message";
        QTest::newRow("answer not the assistant's")
            << QByteArray(R"({"prompt": "p", "chosen": [{"role": "user", "content": "a"}], "rejected": "b"})")
            << "\"chosen\" must end with an assistant message";
        QTest::newRow("conversation prompt")
            << QByteArray(R"({"prompt": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},)"
                          R"( {"role": "user", "content": "c"}], "chosen": "d", "rejected": "e"})")
            << "only a single user message";
        QTest::newRow("number") << QByteArray(R"({"prompt": "p", "chosen": 4, "rejected": "b"})")
                                << "\"chosen\" must be a string or a list";
    }
    void badPreferencePairsAreNamed()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeBytes(dir, QStringLiteral("pairs.jsonl"),
                                        "{\"prompt\": \"ok\", \"chosen\": "
                                        "\"a\", \"rejected\": \"b\"}\n" +
                                            line);
        FT_EXPECT_ERROR(readDataset(path, DatasetFormat::Preference), path + QStringLiteral(":2: "), expected);
    }
    void writersRefuseWhatTheyCannotHold()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.jsonl"));
        writeBytes(dir, QStringLiteral("d.jsonl"), "previous content\n");
        ImportedExample multi = imported(conversation({"a", "b", "c", "d"}));
        multi.source = QStringLiteral("chat.json#7");
        FT_EXPECT_ERROR(writeDataset(path, DatasetFormat::Dolly, {imported(pair("a", "", "b")), multi}),
                        QStringLiteral("record #1 (chat.json#7)"), QStringLiteral("multi-turn"));
        FT_EXPECT_ERROR(writeDataset(path, DatasetFormat::Dolly, {imported(pair("a", "", "b", "sys"))}),
                        QStringLiteral("system prompt"));
        // The refused write left the existing file alone.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("previous content\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }
};

QTEST_APPLESS_MAIN(TestDatasetFormatsJson)
#include "tst_dataset_formats_json.moc"
