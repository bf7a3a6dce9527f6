#include <QTest>

#include "common/error.h"
#include "common/json_file.h"

using namespace ft;

class TestJsonFile : public QObject {
    Q_OBJECT
private slots:
    void malformedJsonNamesLineAndColumn()
    {
        try {
            parseJsonObject("{\n  \"a\": 1,\n  \"b\": ]\n}", QStringLiteral("config.json"));
            QFAIL("malformed JSON was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("config.json")), qPrintable(error.message()));
            QVERIFY2(error.message().contains(QLatin1String("line 3")), qPrintable(error.message()));
        }
    }
    // Qt calls a text cut short before its '}' an "unterminated string"; the error says what is missing.
    void textCutShortSaysWhatItLacks_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no closing brace")
            << QByteArray("{\"a\": \"b\"") << QStringLiteral("ends before its closing '}'");
        QTest::newRow("no brace, newline")
            << QByteArray("{\"a\": 1,\n \"b\": 2\n") << QStringLiteral("ends before its closing '}'");
        QTest::newRow("open array") << QByteArray("{\"a\": [1, 2") << QStringLiteral("ends before its closing ']'");
        QTest::newRow("escaped quote") << QByteArray("{\"a\": \"b\\\"")
                                       << QStringLiteral("unterminated string: the text ends inside a string");
        QTest::newRow("open string") << QByteArray("{\"a\": \"b")
                                     << QStringLiteral("unterminated string: the text ends inside a string");
    }
    void textCutShortSaysWhatItLacks()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        try {
            parseJsonObject(text, QStringLiteral("cut.json"));
            QFAIL("a text cut short was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().startsWith(QLatin1String("cut.json: malformed JSON at line")) &&
                         error.message().endsWith(expected),
                     qPrintable(error.message()));
        }
    }
    void topLevelMustBeObject()
    {
        QVERIFY_THROWS_EXCEPTION(Error, parseJsonObject("[1, 2]", QStringLiteral("x.json")));
    }
    void typedAccessNamesTheField()
    {
        const QJsonObject object = parseJsonObject(R"({"n": 1.5, "s": 3, "b": "yes"})", QStringLiteral("f.json"));
        try {
            requireInt(object, QStringLiteral("n"), QStringLiteral("f.json"));
            QFAIL("1.5 accepted as an integer");
        } catch (const Error& error) {
            QVERIFY(error.message().contains(QLatin1String("\"n\"")));
        }
        QVERIFY_THROWS_EXCEPTION(Error, requireString(object, QStringLiteral("s"), QStringLiteral("f.json")));
        QVERIFY_THROWS_EXCEPTION(Error, optionalBool(object, QStringLiteral("b"), false, QStringLiteral("f.json")));
        QVERIFY_THROWS_EXCEPTION(Error, requireInt(object, QStringLiteral("missing"), QStringLiteral("f.json")));
        QCOMPARE(optionalInt(object, QStringLiteral("missing"), 7, QStringLiteral("f.json")), 7);
    }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "tst_json_file.moc"
