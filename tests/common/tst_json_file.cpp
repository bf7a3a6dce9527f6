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
