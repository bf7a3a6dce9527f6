// Filters, tests, the methods of strings/dicts/lists and tojson's exact output. Each row: template,
// context (JSON), expected output; matchesOracle requires @huggingface/jinja's text for every row
// (rows marked beyond the oracle are additions from Jinja that it refuses). errors: what fails in
// both.

#include "chat/jinja_error.h"
#include "chat/jinja_json.h"
#include "chat/jinja_template.h"

#include "chat_oracle.h"
#include "support/test_support.h"

#include <QTest>

using namespace ft::jinja;

namespace {

struct Row {
    const char* name;
    const char* source;
    const char* context;
    const char* expected;
    bool beyondOracle = false;
};

const char* const kData = R"({
  "s": "  Hello World  ", "word": "hELLO wORLD it's_ok", "csv": "a,b,,c",
  "xs": [3, 1, 2], "names": ["b", "A", "c"], "nums": [1, 2.5, -3],
  "d": {"b": 2, "a": 1, "c": null},
  "people": [{"name": "Ann", "age": 30, "tags": {"x": 1}}, {"name": "bob", "age": 25}, {"name": "Cy", "age": 35, "tags": {"x": 2}}],
  "msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}],
  "tool": {"type": "function", "function": {"name": "get_weather", "description": "Weather \"now\"\nin a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}, "required": ["city"]}}},
  "uni": "caf\u00e9 \ud83d\ude00 \u2028 <tag> & \u0001"
})";

const Row kRows[] = {
    // tojson
    {"tojson", "{{ tool|tojson }}", kData,
     R"({"type": "function", "function": {"name": "get_weather", "description": "Weather \"now\"\nin a city", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}}, "required": ["city"]}}})"},
    {"tojson indent", "{{ tool.function.parameters|tojson(indent=2) }}", kData,
     "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"city\": {\n      \"type\": \"string\"\n    },\n    \"days\": {\n"
     "      \"type\": \"integer\",\n      \"minimum\": 1\n    }\n  },\n  \"required\": [\n    \"city\"\n  ]\n}"},
    {"tojson indent 4 and empties", "{{ {'a': [], 'b': {}, 'c': [1]}|tojson(indent=4) }}", "{}",
     "{\n    \"a\": [],\n    \"b\": {},\n    \"c\": [\n        1\n    ]\n}"},
    {"tojson escaping", "{{ uni|tojson }}", kData, "\"caf\u00e9 \U0001F600 \u2028 <tag> & \\u0001\""},
    {"tojson ensure_ascii", "{{ uni|tojson(ensure_ascii=true) }}", kData,
     "\"caf\\u00e9 \\ud83d\\ude00 \\u2028 <tag> & \\u0001\""},
    {"tojson separators", "{{ d|tojson(separators=(',', ':')) }}", kData, "{\"b\":2,\"a\":1,\"c\":null}"},
    {"tojson sort_keys", "{{ d|tojson(sort_keys=true) }}", kData, "{\"a\": 1, \"b\": 2, \"c\": null}"},
    {"tojson numbers and undefined", "{{ [1, 2.0, 2.5, none, true, missing]|tojson }}", "{}", "[1, 2, 2.5, null, true, null]"},
    {"tojson of a string and a number", "{{ 'a\"b'|tojson }} {{ 3|tojson }}", "{}", "\"a\\\"b\" 3"},
    // strings
    {"trim and case", "[{{ s|trim }}] {{ word|upper }} {{ word|lower }}", kData,
     "[Hello World] HELLO WORLD IT'S_OK hello world it's_ok"},
    {"title and capitalize", "{{ word|title }}|{{ word|capitalize }}|{{ 'x-ray 2nd'|title }}", kData,
     "HELLO WORLD It'S_ok|HELLO wORLD it's_ok|X-Ray 2nd"},
    {"length of a string", "{{ 'héllo'|length }} {{ s.length }}", kData, "5 15"},
    {"replace", "{{ csv|replace(',', ';') }} {{ csv|replace(',', ';', 2) }} {{ 'ab'|replace('', '-') }}", kData,
     "a;b;;c a;b;,c -a-b-"},
    {"indent", "{{ 'a\nb\n\nc'|indent }}|{{ 'a\nb'|indent(2, true) }}|{{ 'a\n\nb'|indent(width=1, blank=true) }}", "{}",
     "a\n    b\n\n    c|  a\n  b|a\n \n b"},
    {"string conversions", "{{ '3.7'|int }} {{ ' 42abc'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ '2'|float }} {{ '1e3'|float }}",
     "{}", "3 42 0 7 2.0 1000.0"},
    {"join on a string", "{{ 'abc'|join('-') }}", "{}", "a-b-c"},
    {"string methods", "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}] {{ s.upper() }} {{ s.lower() }}", kData,
     "[Hello World][Hello World  ][  Hello World]   HELLO WORLD     hello world  "},
    {"strip ignores its argument as the oracle does", "[{{ '\n  x\n'.strip('\n') }}][{{ 'xxhixx'.strip('x') }}]", "{}",
     "[x][xxhixx]"},
    {"split", "{{ csv.split(',') }} {{ '  a  b c '.split() }} {{ 'a b c'.split(' ', 1) }} {{ ' a  b c'.split(none, 1) }}",
     kData, "[\"a\", \"b\", \"\", \"c\"] [\"a\", \"b\", \"c\"] [\"a\", \"b c\"] [\"a\", \"b c\"]"},
    {"startswith endswith", "{{ csv.startswith('a,') }} {{ csv.endswith(('x', 'c')) }} {{ csv.startswith('b') }}", kData,
     "true true false"},
    {"string replace method", "{{ 'aaa'.replace('a', 'b', 2) }} {{ 'aaa'.replace('a', 'b', count=1) }}", "{}", "bba baa"},
    {"string title method", "{{ 'hi there'.title() }} {{ 'hi'.capitalize() }}", "{}", "Hi There Hi"},
    // lists
    {"first last length", "{{ xs|first }} {{ xs|last }} {{ xs|length }}", kData, "3 2 3"},
    {"sort reverse unique", "{{ xs|sort }} {{ xs|reverse }} {{ names|sort }} {{ [1, 2, 1, '1']|unique }}", kData,
     "[1, 2, 3] [2, 1, 3] [\"A\", \"b\", \"c\"] [1, 2, \"1\"]"},
    {"sort with arguments", "{{ names|sort(true) }} {{ names|sort(case_sensitive=true) }} {{ people|sort(attribute='age')|map(attribute='name')|join(',') }}",
     kData, "[\"c\", \"b\", \"A\"] [\"A\", \"b\", \"c\"] bob,Ann,Cy"},
    {"join", "{{ xs|join }} {{ [1, 2.0, none, 'a', true]|join(', ') }} {{ names|join(separator='/') }}", kData,
     "312 1, 2, , a, true b/A/c"},
    {"list and string of lists", "{{ xs|list }} {{ xs|string }} {{ 2.0|string }} {{ true|string }}", kData,
     "[3, 1, 2] [3, 1, 2] 2.0 true"},
    {"map attribute", "{{ people|map(attribute='name')|list }} {{ people|map(attribute='tags.x', default=0)|list }}", kData,
     "[\"Ann\", \"bob\", \"Cy\"] [1, 0, 2]"},
    {"selectattr rejectattr", "{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|join }} {{ msgs|rejectattr('role', 'eq', 'system')|length }} {{ people|selectattr('tags')|length }}",
     kData, "U 2 2"},
    {"dict filters", "{{ d|items }} {{ d|length }} {{ d|dictsort }} {{ d|keys }}", kData,
     "[[\"b\", 2], [\"a\", 1], [\"c\", null]] 3 [[\"a\", 1], [\"b\", 2], [\"c\", null]] [\"b\", \"a\", \"c\"]",},
    {"dict methods", "{{ d.get('a') }} {{ d.get('zz', 'dflt') }} [{{ d.get('zz') }}] {{ d.keys() }} {{ d.values() }} {{ d.items()|length }}",
     kData, "1 dflt [] [\"b\", \"a\", \"c\"] [2, 1, null] 3"},
    // numbers and booleans
    {"numbers", "{{ -3|abs }} {{ nums[1]|int }} {{ -2.5|int }} {{ 3|float }} {{ 2.5|string }} {{ true|int }}", kData,
     "3 2 -3 3.0 2.5 1"},
    {"default", "{{ missing|default('d') }} {{ ''|default('e') }}[{{ ''|default('f', true) }}] {{ none|default('g') }}[{{ 0|default('h', boolean=true) }}]",
     "{}", "d [f] [h]"},
    {"safe", "{{ '<b>'|safe }}", "{}", "<b>"},
    // tests
    {"type tests",
     "{{ 'a' is string }} {{ 1 is number }} {{ 1.5 is integer }} {{ none is none }} {{ true is boolean }} {{ d is mapping }} {{ xs is iterable }} {{ 'a' is iterable }} {{ d is iterable }} {{ xs is sequence }} {{ d is sequence }} {{ range is callable }}",
     kData, "true true false true true true true true false true true true"},
    {"value tests", "{{ missing is defined }} {{ missing is undefined }} {{ xs is not none }} {{ 3 is odd }} {{ 3 is even }} {{ true is true }} {{ 1 is true }} {{ false is false }} {{ 'abc' is lower }} {{ 'ABC' is upper }}",
     kData, "false true true true false true false true true true"},
    {"tests of message fields", "{% for m in msgs %}{% if m.tool_calls is defined %}x{% endif %}{% if m.content is string %}s{% endif %}{% endfor %}",
     kData, "sss"},
    // additions beyond the oracle
    {"count", "{{ xs|count }}", kData, "3", true},
    {"round", "{{ 2.567|round(2) }} {{ 2.5|round }} {{ 2.1|round(0, 'ceil') }}", "{}", "2.57 3.0 3.0", true},
    {"select and reject", "{{ [1, 2, 3, 4]|select('odd')|list }} {{ [0, 1, '', 'a']|reject|list }}", "{}",
     "[1, 3] [0, \"\"]", true},
    {"escape", "{{ '<a href=\"x\">&</a>'|escape }}", "{}", "&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;", true},
    {"default without arguments", "[{{ missing|default }}]", "{}", "[]", true},
};

struct ErrorRow {
    const char* name;
    const char* source;
    const char* fragment; // in our message
};

const ErrorRow kErrors[] = {
    {"trim on a list", "{{ xs|trim }}", "Unknown ArrayValue filter: trim"},
    {"length of undefined", "{{ missing|length }}", "Cannot apply filter \"length\" to type: UndefinedValue"},
    {"string filter on none", "{{ none|string }}", "Cannot apply filter \"string\" to type: NullValue"},
    {"first on a string", "{{ 'abc'|upper|int|first }}", "Unknown NumericValue filter: first"},
    {"map without attribute", "{{ xs|map('string') }}", "without `attribute`"},
    {"tojson of a function", "{{ range|tojson }}", "Cannot convert to JSON: FunctionValue"},
    {"tojson of a tuple", "{{ (1, 2)|tojson }}", "Cannot convert to JSON: TupleValue"},
    {"odd of a string", "{{ 'a' is odd }}", "cannot odd on StringValue"},
    {"empty separator", "{{ 'a'.split('') }}", "empty separator"},
    {"get without a key", "{{ d.get(1) }}", "Object key must be a string"},
    {"sort mixed types", "{{ [1, 'a']|sort }}", "Cannot compare different types"},
    {"method of a list", "{{ xs.pop() }}", "unknown method 'pop'"},
};

} // namespace

class TestJinjaBuiltins : public QObject {
    Q_OBJECT
private slots:
    void render_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QByteArray>("context");
        QTest::addColumn<QString>("expected");
        for (const Row& row : kRows)
            QTest::newRow(row.name) << QString::fromUtf8(row.source) << QByteArray(row.context)
                                    << QString::fromUtf8(row.expected);
    }

    void render()
    {
        QFETCH(QString, source);
        QFETCH(QByteArray, context);
        QFETCH(QString, expected);
        const Template t = Template::parse(source, QStringLiteral("row"));
        QCOMPARE(t.render(parseJson(context, QStringLiteral("context"))), expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("fragment");
        for (const ErrorRow& row : kErrors)
            QTest::newRow(row.name) << QString::fromUtf8(row.source) << QString::fromUtf8(row.fragment);
    }

    void errors()
    {
        QFETCH(QString, source);
        QFETCH(QString, fragment);
        try {
            Template::parse(source, QStringLiteral("row")).render(parseJson(kData, QStringLiteral("context")));
            QFAIL("no error");
        } catch (const TemplateError& e) {
            QVERIFY2(e.detail().contains(fragment), qPrintable(e.message()));
            QCOMPARE(e.line(), 1);
            QVERIFY(e.message().startsWith(QStringLiteral("row: line 1, column ")));
        }
    }

    void matchesOracle()
    {
        FT_REQUIRE_ORACLE(dir);
        QList<ft::test::OracleCase> cases;
        for (const Row& row : kRows)
            cases.append({QString::fromUtf8(row.source), QByteArray(row.context), std::nullopt});
        for (const ErrorRow& row : kErrors)
            cases.append({QString::fromUtf8(row.source), QByteArray(kData), std::nullopt});
        QString error;
        const QList<ft::test::OracleResult> results = ft::test::oracleRender(dir, cases, &error);
        QVERIFY2(!results.isEmpty(), qPrintable(error));
        int equal = 0, beyond = 0, failing = 0;
        const qsizetype rows = std::size(kRows);
        for (qsizetype i = 0; i < cases.size(); ++i) {
            if (i >= rows) { // an error row: the oracle fails too
                QVERIFY2(!results[i].ok, kErrors[i - rows].name);
                ++failing;
                continue;
            }
            const Row& row = kRows[i];
            if (row.beyondOracle) {
                QVERIFY2(!results[i].ok, row.name);
                ++beyond;
                continue;
            }
            QVERIFY2(results[i].ok, qPrintable(QStringLiteral("%1: %2").arg(row.name, results[i].error)));
            const QString ours = Template::parse(cases[i].templateSource, QStringLiteral("row"))
                                     .render(parseJson(cases[i].contextJson, QStringLiteral("context")));
            QVERIFY2(ours == results[i].text,
                     qPrintable(QStringLiteral("%1: ours %2, oracle %3").arg(row.name, ours, results[i].text)));
            ++equal;
        }
        qInfo("%d templates equal to @huggingface/jinja, %d errors in both; %d additions it refuses", equal, failing,
              beyond);
    }
};

QTEST_GUILESS_MAIN(TestJinjaBuiltins)
#include "tst_jinja_builtins.moc"
