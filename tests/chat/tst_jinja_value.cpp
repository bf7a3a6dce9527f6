// The interpreter's values: JavaScript's number printing, conversions and equality (as
// @huggingface/jinja has them; the expectations below are what node prints), Python-style output,
// truthiness, insertion-ordered dicts, shared lists, and the order-keeping JSON reader and tojson.

#include "chat/jinja_json.h"
#include "chat/jinja_value.h"
#include "common/error.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace ft::jinja;

class TestJinjaValue : public QObject {
    Q_OBJECT
private slots:
    // String(x) in node.
    void jsNumbers_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero") << 0.0 << "0";
        QTest::newRow("negative zero") << -0.0 << "0";
        QTest::newRow("one and a half") << 1.5 << "1.5";
        QTest::newRow("0.1 + 0.2") << 0.1 + 0.2 << "0.30000000000000004";
        QTest::newRow("1e21") << 1e21 << "1e+21";
        QTest::newRow("1e20") << 1e20 << "100000000000000000000";
        QTest::newRow("1e-7") << 1e-7 << "1e-7";
        QTest::newRow("0.000001") << 0.000001 << "0.000001";
        QTest::newRow("-1.25e-8") << -1.25e-8 << "-1.25e-8";
        QTest::newRow("2^53") << 9007199254740992.0 << "9007199254740992";
        QTest::newRow("smallest") << 5e-324 << "5e-324";
        QTest::newRow("largest") << 1.7976931348623157e308 << "1.7976931348623157e+308";
        QTest::newRow("nan") << std::nan("") << "NaN";
        QTest::newRow("infinity") << std::numeric_limits<double>::infinity() << "Infinity";
        QTest::newRow("-infinity") << -std::numeric_limits<double>::infinity() << "-Infinity";
    }
    void jsNumbers()
    {
        QFETCH(double, value);
        QFETCH(QString, expected);
        QCOMPARE(jsNumberToString(value), expected);
    }

    // Number(text) in node.
    void jsStringToNumbers()
    {
        QCOMPARE(jsStringToNumber(QStringLiteral(" 12 ")), 12.0);
        QCOMPARE(jsStringToNumber(QString()), 0.0);
        QCOMPARE(jsStringToNumber(QStringLiteral("1e3")), 1000.0);
        QCOMPARE(jsStringToNumber(QStringLiteral("0x1f")), 31.0);
        QCOMPARE(jsStringToNumber(QStringLiteral(".5")), 0.5);
        QCOMPARE(jsStringToNumber(QStringLiteral("5.")), 5.0);
        QVERIFY(std::isinf(jsStringToNumber(QStringLiteral("Infinity"))));
        for (const char* bad : {"abc", "-", "1_000"})
            QVERIFY2(std::isnan(jsStringToNumber(QString::fromLatin1(bad))), bad);
    }

    // `{{ x }}` (Python-like) and `~` (JavaScript's String) print differently.
    void printing()
    {
        QCOMPARE(Value::real(2.0).toOutput(), QStringLiteral("2.0"));
        QCOMPARE(Value::real(2.0).toJsString(), QStringLiteral("2"));
        QCOMPARE(Value::real(2.5).toOutput(), QStringLiteral("2.5"));
        QCOMPARE(Value::integer(-4).toOutput(), QStringLiteral("-4"));
        QCOMPARE(Value::boolean(true).toOutput(), QStringLiteral("true"));
        // `{{ none }}` prints nothing (the interpreter skips it); inside String(list) the oracle
        // writes "undefined": `[1, 'a', none] ~ ''` is "1,a,undefined".
        QCOMPARE(Value::none().toOutput(), QStringLiteral("undefined"));
        const Value list = Value::list({Value::integer(1), Value::string(QStringLiteral("a")), Value::none()});
        QCOMPARE(list.toOutput(), QStringLiteral("[1, \"a\", null]"));
        QCOMPARE(list.toJsString(), QStringLiteral("1,a,undefined"));
        Value dict = Value::dict();
        dict.entries().set(QStringLiteral("k"), Value::integer(1));
        QCOMPARE(dict.toOutput(), QStringLiteral("{\"k\": 1}"));
        QCOMPARE(dict.toJsString(), QStringLiteral("[object Map]"));
        QCOMPARE(Value::jsNumber(3.0).kind(), Value::Kind::Int);
        QCOMPARE(Value::jsNumber(3.5).kind(), Value::Kind::Float);
    }

    void truthiness()
    {
        QVERIFY(!Value().truthy());
        QVERIFY(!Value::none().truthy());
        QVERIFY(!Value::string(QString()).truthy());
        QVERIFY(Value::string(QStringLiteral(" ")).truthy());
        QVERIFY(!Value::integer(0).truthy());
        QVERIFY(!Value::real(0.0).truthy());
        QVERIFY(!Value::list().truthy());
        QVERIFY(Value::list({Value()}).truthy());
        QVERIFY(!Value::dict().truthy());
        QVERIFY(Value::function(QStringLiteral("f"), [](ValueList&, const EnvironmentPtr&) { return Value(); }).truthy());
    }

    // JavaScript's == and === on the values, as node answers them.
    void equality()
    {
        const Value one = Value::integer(1), oneText = Value::string(QStringLiteral("1"));
        QVERIFY(looseEquals(oneText, one));
        QVERIFY(looseEquals(Value::string(QString()), Value::boolean(false)));
        QVERIFY(looseEquals(Value::none(), Value()));
        QVERIFY(looseEquals(Value::string(QStringLiteral(" 1 ")), one));
        QVERIFY(looseEquals(Value::string(QStringLiteral("0x10")), Value::integer(16)));
        QVERIFY(looseEquals(Value::boolean(true), one));
        QVERIFY(!looseEquals(Value::none(), Value::integer(0)));
        QVERIFY(!looseEquals(Value::real(std::nan("")), Value::real(std::nan(""))));
        QVERIFY(strictEquals(one, Value::real(1.0)));
        QVERIFY(!strictEquals(oneText, one));
        const Value a = Value::list({one}), b = Value::list({one});
        QVERIFY(!looseEquals(a, b)); // objects compare by identity
        QVERIFY(looseEquals(a, a));
        QVERIFY(strictEquals(a, a));
    }

    // Lists and dicts are shared by reference, as JavaScript's arrays and Maps are.
    void sharing()
    {
        Value list = Value::list();
        const Value alias = list;
        list.items().push_back(Value::integer(7));
        QCOMPARE(alias.items().size(), size_t(1));
        QVERIFY(alias.sameObject(list));
        QVERIFY(!Value::list().sameObject(Value::list()));
    }

    void dictOrder()
    {
        Dict d;
        d.set(QStringLiteral("b"), Value::integer(1));
        d.set(QStringLiteral("a"), Value::integer(2));
        d.set(QStringLiteral("b"), Value::integer(3)); // keeps its place
        QCOMPARE(d.size(), 2);
        QCOMPARE(d.entries()[0].first, QStringLiteral("b"));
        QCOMPARE(d.entries()[0].second.intValue(), 3);
        QVERIFY(d.remove(QStringLiteral("b")));
        QVERIFY(!d.remove(QStringLiteral("b")));
        QCOMPARE(d.find(QStringLiteral("a"))->intValue(), 2);
        QCOMPARE(d.find(QStringLiteral("b")), nullptr);
    }

    // parseJson keeps the order the keys are written in (QJsonObject would sort them), and
    // numbers with an integral value become integers.
    void jsonReader()
    {
        const Value v = parseJson(R"({"z": 1, "a": [1.0, 2.5, -0, 1e2], "m": {"y": null, "b": true}, "s": "\u00e9\ud83d\ude00\n"})",
                                  QStringLiteral("doc"));
        QCOMPARE(v.entries().entries()[0].first, QStringLiteral("z"));
        QCOMPARE(v.entries().entries()[1].first, QStringLiteral("a"));
        const ValueList& numbers = v.entries().find(QStringLiteral("a"))->items();
        QCOMPARE(numbers[0].kind(), Value::Kind::Int);
        QCOMPARE(numbers[1].kind(), Value::Kind::Float);
        QCOMPARE(numbers[3].intValue(), 100);
        QCOMPARE(v.entries().find(QStringLiteral("s"))->stringValue(), QStringLiteral("\u00e9\U0001F600\n"));
        QCOMPARE(toJson(v), QStringLiteral(R"({"z": 1, "a": [1, 2.5, 0, 100], "m": {"y": null, "b": true}, "s": "é😀\n"})"));
        JsonFormat indented;
        indented.indent = 2;
        QCOMPARE(toJson(*v.entries().find(QStringLiteral("m")), indented), QStringLiteral("{\n  \"y\": null,\n  \"b\": true\n}"));
        JsonFormat ascii;
        ascii.ensureAscii = true;
        QCOMPARE(toJson(*v.entries().find(QStringLiteral("s")), ascii), QStringLiteral(R"("\u00e9\ud83d\ude00\n")"));
        QCOMPARE(jsonQuote(QStringLiteral("a\"b\\c\u0001\u2028")), QStringLiteral("\"a\\\"b\\\\c\\u0001\u2028\""));
    }

    void jsonReaderErrors()
    {
        for (const char* bad : {"{\"a\": }", "[1, 2", "{\"a\" 1}", "tru", "[1] x"}) {
            try {
                parseJson(bad, QStringLiteral("doc"));
                QFAIL(bad);
            } catch (const ft::Error& e) {
                QVERIFY2(e.message().startsWith(QStringLiteral("doc: line 1, column ")), qPrintable(e.message()));
            }
        }
    }

    void jsWhitespace()
    {
        QCOMPARE(jsTrim(QStringLiteral("\u00a0\t a b \n\u2028\ufeff")), QStringLiteral("a b"));
        QCOMPARE(jsTrimStart(QStringLiteral("  x ")), QStringLiteral("x "));
        QCOMPARE(jsTrimEnd(QStringLiteral("  x ")), QStringLiteral("  x"));
        QVERIFY(isJsSpace(QChar(0x3000)));
        QVERIFY(!isJsSpace(QChar(u'x')));
    }
};

QTEST_GUILESS_MAIN(TestJinjaValue)
#include "tst_jinja_value.moc"
