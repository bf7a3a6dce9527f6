#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "common/error.h"
#include "data/example_record.h"

using namespace ft;

namespace {
QString errorOf(const QByteArray& json)
{
    try {
        ExampleRecord::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("train.jsonl:7"));
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}
} // namespace

class TestExampleRecord : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        ExampleRecord record;
        record.system = QStringLiteral("Be brief.");
        record.instruction = QStringLiteral("Name a colour.");
        record.input = QStringLiteral("sky");
        record.response = QStringLiteral("Blue.");
        const ExampleRecord again = ExampleRecord::fromJson(record.toJson(), QStringLiteral("x"));
        QCOMPARE(again.system, record.system);
        QCOMPARE(again.instruction, record.instruction);
        QCOMPARE(again.input, record.input);
        QCOMPARE(again.response, record.response);
        QVERIFY(!record.toJson().contains(QStringLiteral("turns")));
        QVERIFY(!record.toJson().contains(QStringLiteral("rejected")));
        QVERIFY(!again.isPreferencePair());
    }
    void preferencePairRoundTrip()
    {
        ExampleRecord record;
        record.instruction = QStringLiteral("Name a colour.");
        record.response = QStringLiteral("Blue.");
        record.rejected = QStringLiteral("Seven.");
        const ExampleRecord again = ExampleRecord::fromJson(record.toJson(), QStringLiteral("x"));
        QVERIFY(again.isPreferencePair());
        QCOMPARE(again.rejected, QStringLiteral("Seven."));
        // The rejected answer in the response's place, for scoring it after the same prompt.
        const ExampleRecord worse = again.rejectedVariant();
        QCOMPARE(worse.instruction, record.instruction);
        QCOMPARE(worse.response, QStringLiteral("Seven."));
        QVERIFY(!worse.isPreferencePair());
        // A blank rejected answer, or the response again, is no pair and is not written: an editor that
        // leaves one behind cannot make the training files unreadable.
        for (const QString& notAnAnswer : {QStringLiteral("  \n"), record.response}) {
            ExampleRecord edited = record;
            edited.rejected = notAnAnswer;
            QVERIFY(!edited.isPreferencePair());
            QVERIFY(!edited.toJson().contains(QStringLiteral("rejected")));
            QVERIFY(!ExampleRecord::fromJson(edited.toJson(), QStringLiteral("x")).isPreferencePair());
        }
    }
    void multiTurnRoundTrip()
    {
        const QByteArray json = R"({"system": "s", "turns": [{"role": "user", "content": "hi"},
            {"role": "assistant", "content": "hello"}, {"role": "user", "content": "bye"}, {"role": "assistant", "content": "ciao"}]})";
        const ExampleRecord record =
            ExampleRecord::fromJson(QJsonDocument::fromJson(json).object(), QStringLiteral("x"));
        QVERIFY(record.isMultiTurn());
        QCOMPARE(record.turns.size(), size_t(4));
        QCOMPARE(record.turns[3].content, QStringLiteral("ciao"));
        QCOMPARE(ExampleRecord::fromJson(record.toJson(), QStringLiteral("y")).turns.size(), size_t(4));
    }
    // A Playground conversation saved as an example: one exchange is an instruction/response pair, more
    // stay a conversation; either reads back through fromJson as the dataset stores it.
    void conversationsBecomeExamples()
    {
        using Role = ChatTurn::Role;
        const ExampleRecord pair =
            ExampleRecord::fromConversation(QStringLiteral("Be brief."), {{Role::User, QStringLiteral("Hi")},
                                                                          {Role::Assistant, QStringLiteral("Hello.")}});
        QVERIFY(!pair.isMultiTurn());
        QCOMPARE(pair.system, QStringLiteral("Be brief."));
        QCOMPARE(pair.instruction, QStringLiteral("Hi"));
        QCOMPARE(pair.response, QStringLiteral("Hello."));
        const ExampleRecord chat =
            ExampleRecord::fromConversation({}, {{Role::User, QStringLiteral("Hi")},
                                                 {Role::Assistant, QStringLiteral("Hello.")},
                                                 {Role::User, QStringLiteral("A story?")},
                                                 {Role::Assistant, QStringLiteral("Once upon a time.")}});
        QVERIFY(chat.isMultiTurn());
        const ExampleRecord back = ExampleRecord::fromJson(chat.toJson(), QStringLiteral("t"));
        QCOMPARE(back.turns.size(), size_t(4));
        QCOMPARE(back.turns[3].content, QStringLiteral("Once upon a time."));
        QVERIFY(back.system.isEmpty());
    }

    void badRecordsNameOriginAndField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty response") << QByteArray(R"({"instruction": "a", "response": "  "})")
                                        << "\"response\" is empty";
        QTest::newRow("missing response") << QByteArray(R"({"instruction": "a"})") << "missing field \"response\"";
        QTest::newRow("missing instruction") << QByteArray(R"({"response": "a"})") << "missing field \"instruction\"";
        QTest::newRow("number instead of text")
            << QByteArray(R"({"instruction": 5, "response": "a"})") << "\"instruction\" must be a string";
        QTest::newRow("turns out of order")
            << QByteArray(R"({"turns": [{"role": "assistant", "content": "x"}]})") << "expected role \"user\"";
        QTest::newRow("turns end with user")
            << QByteArray(R"({"turns": [{"role": "user", "content": "x"}]})") << "end with an assistant";
        QTest::newRow("turns not an array") << QByteArray(R"({"turns": "x"})") << "\"turns\"";
        QTest::newRow("rejected equals response")
            << QByteArray(R"({"instruction": "a", "response": "b", "rejected": "b"})") << "is the same as \"response\"";
        QTest::newRow("empty rejected") << QByteArray(R"({"instruction": "a", "response": "b", "rejected": ""})")
                                        << "\"rejected\" is empty";
        QTest::newRow("rejected with turns")
            << QByteArray(R"({"turns": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],)"
                          R"( "rejected": "z"})")
            << "not with \"turns\"";
    }
    void badRecordsNameOriginAndField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const QString message = errorOf(json);
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("train.jsonl:7")), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestExampleRecord)
#include "tst_example_record.moc"
