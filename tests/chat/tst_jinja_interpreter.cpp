// The Jinja language as the interpreter runs it: statements, expressions, scoping, whitespace
// control. Each row is a template, a context (JSON) and the expected output; matchesOracle renders
// every row with @huggingface/jinja too and requires the same text (rows marked beyond the oracle
// are additions from Jinja that the oracle refuses).

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

const QDateTime kNow(QDate(2025, 3, 7), QTime(9, 5), Qt::UTC);

const Row kRows[] = {
    // text, output and literals
    {"plain text", "Hello, world!", "{}", "Hello, world!"},
    {"variable", "Hi {{ name }}.", R"({"name": "Ada"})", "Hi Ada."},
    {"undefined prints nothing", "[{{ missing }}]", "{}", "[]"},
    {"attribute of undefined", "[{{ missing.deeper.still }}]", "{}", "[]"},
    {"none prints nothing", "[{{ none }}{{ None }}]", "{}", "[]"},
    {"booleans print lower case", "{{ true }} {{ False }}", "{}", "true false"},
    {"integers and floats", "{{ 3 }} {{ 2.0 }} {{ 1.5 }} {{ -4 }} {{ 0.1 + 0.2 }}", "{}", "3 2.0 1.5 -4 0.30000000000000004"},
    {"json numbers", "{{ a }} {{ b }} {{ c }}", R"({"a": 1.0, "b": 2.5, "c": -0})", "1 2.5 0"},
    {"list and dict print as json", "{{ [1, 'a', none, true] }} {{ {'k': [1, 2.0], 'e': {}} }}", "{}",
     "[1, \"a\", null, true] {\"k\": [1, 2], \"e\": {}}"},
    {"tuples", "{{ (1, 'b')|length }} {{ (1, 'b')[1] }} {{ 'b' in ('a', 'b') }}", "{}", "2 b true"},
    {"string escapes", R"({{ 'a\nb\t"c"\'' }}|{{ "\u00e9\x41\\" }})", "{}", "a\nb\t\"c\"'|\u00e9A\\"},
    {"adjacent strings join", R"({{ 'ab' "cd" }})", "{}", "abcd"},
    // operators
    {"arithmetic", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ 7 % 3 }} {{ 2 ** 10 }}",
     "{}", "7 9 3 3.5 3.0 1 1024"},
    {"javascript remainder and floor", "{{ -7 % 3 }} {{ -7 // 2 }} {{ 2 ** -1 }} {{ 1.5 + 1 }}", "{}", "-1 -4 0.5 2.5"},
    {"unary signs", "{{ -x }} {{ - 2 }} {{ +x }} {{ 3 - -1 }}", R"({"x": 5})", "-5 -2 5 4"},
    {"tilde joins as javascript", "{{ 1.0 ~ '|' ~ 2.5 ~ '|' ~ true ~ '|' ~ [1, 'a'] }}", "{}", "1|2.5|true|1,a"},
    {"none inside a joined list", "{{ [1, 'a', none] ~ '' }}|{{ [none, 2.0, true]|join(',') }}", "{}", "1,a,undefined|,2,true"},
    {"plus with a string", "{{ 'n=' + 3 }} {{ 3 + 'x' }}", "{}", "n=3 3x"},
    {"list concatenation", "{{ [1] + [2, 3] }}", "{}", "[1, 2, 3]"},
    {"comparisons", "{{ 1 < 2 }} {{ 2 <= 1 }} {{ 'a' == 'a' }} {{ 1 == 1.0 }} {{ 1 != 2 }}", "{}",
     "true false true true true"},
    {"loose equality as javascript", "{{ '1' == 1 }} {{ '' == false }} {{ none == missing }} {{ [1] == [1] }} {{ 0 == none }}",
     "{}", "true true true false false"},
    {"membership", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ '2' in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'x' not in [] }}",
     "{}", "true true false true true"},
    {"in undefined", "{{ 'x' in missing }} {{ 'x' not in missing }}", "{}", "false true"},
    {"and or return operands", "{{ '' or 'dflt' }}|{{ 'a' and 'b' }}|{{ [] or 'e' }}|{{ 0 and 1 }}|{{ not [] }}", "{}",
     "dflt|b|e|0|true"},
    {"not binds looser than comparison", "{{ not 1 == 2 }} {{ not 'a' in 'abc' }}", "{}", "true false"},
    {"conditional expression", "{{ 'y' if x else 'n' }}{{ 'z' if not x }}[{{ 'q' if false }}]", R"({"x": 1})", "y[]"},
    {"chained conditional", "{{ 'a' if n == 1 else 'b' if n == 2 else 'c' }}", R"({"n": 2})", "b"},
    // access
    {"subscripts", "{{ xs[0] }}{{ xs[-1] }}[{{ xs[9] }}]{{ d['k'] }}{{ d.k }}", R"({"xs": [1, 2, 3], "d": {"k": "v"}})",
     "13[]vv"},
    {"string index", "{{ s[0] }}{{ s[-1] }}[{{ s[7] }}]", R"({"s": "abc"})", "ac[]"},
    {"slices", "{{ xs[1:3] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ xs[:-1] }}", R"({"xs": [1, 2, 3, 4]})",
     "[2, 3] [4, 3, 2, 1] [1, 3] [3, 4] [1, 2, 3]"},
    {"string slices", "{{ s[1:] }}|{{ s[::-1] }}|{{ s[:2] }}", R"({"s": "hello"})", "ello|olleh|he"},
    {"dot integer", "{{ xs.0 }}", R"({"xs": ["first"]})", "first"},
    // statements
    {"if elif else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %};{% endfor %}",
     "{}", "one;two;many;"},
    {"for loop variables",
     "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }} {% endfor %}",
     R"({"xs": ["a", "b"]})", "1021truefalse2 2110falsetrue2 "},
    {"previtem and nextitem", "{% for x in xs %}({{ loop.previtem }},{{ loop.nextitem }}){% endfor %}",
     R"({"xs": [1, 2, 3]})", "(,2)(1,3)(2,)"},
    {"for else", "{% for x in [] %}a{% else %}empty{% endfor %}", "{}", "empty"},
    {"loop filter", "{% for x in xs if x > 1 %}{{ loop.index }}:{{ x }} {% endfor %}", R"({"xs": [1, 2, 3]})", "1:2 2:3 "},
    {"tuple unpacking", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", R"({"d": {"b": 1, "a": 2}})",
     "b=1;a=2;"},
    {"for over a dict", "{% for k in d %}{{ k }}{% endfor %}", R"({"d": {"z": 1, "y": 2}})", "zy"},
    {"nested loop index", "{% for a in [1, 2] %}{% for b in [1, 2] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}",
     "{}", "121;122;"},
    {"break", "{% for x in range(5) %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}", "{}", "012"},
    {"continue", "{% for x in range(5) %}{% if x is odd %}{% continue %}{% endif %}{{ x }}{% endfor %}", "{}", "024"},
    {"continue drops the iteration's output", "{% for x in [1, 2] %}<{{ x }}{% if x == 1 %}{% continue %}{% endif %}>{% endfor %}",
     "{}", "<2>"},
    {"break before any iteration ends runs else", "{% for x in [1] %}{% break %}{% else %}E{% endfor %}", "{}", "E"},
    {"set in a loop stays there", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}", "{}", "21"},
    {"set in if is visible", "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}", "{}", "2"},
    {"set persists across iterations", "{% for i in [1, 2, 3] %}{% if i == 1 %}{% set seen = 'yes' %}{% endif %}{{ seen }}{% endfor %}",
     "{}", "yesyesyes"},
    {"namespace", "{% set ns = namespace(total=0, found=false) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }} {{ ns.found }}",
     "{}", "6 false"},
    {"namespace from a dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }} {{ ns }}", "{}", "12 {\"a\": 1, \"b\": 2}"},
    {"block set", "{% set x %}hi {{ 1 + 1 }}{% endset %}[{{ x }}]", "{}", "[hi 2]"},
    {"tuple set", "{% set a, b = 1, 'two' %}{{ a }}{{ b }}", "{}", "1two"},
    {"set overrides context", "{% set messages = messages[1:] %}{{ messages|length }}", R"({"messages": [1, 2, 3]})", "2"},
    {"macro with defaults", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Bo') }} {{ greet('Al', punct='?') }}",
     "{}", "Hi Bo! Hi Al?"},
    {"macro varargs and kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}",
     "{}", "1[2, 3]{\"k\": \"v\"}"},
    {"macro sees the caller's scope", "{% macro show() %}{{ item }}{% endmacro %}{% for item in ['x', 'y'] %}{{ show() }}{% endfor %}",
     "{}", "xy"},
    {"call block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold{% endcall %}",
     "{}", "<b>bold</b>"},
    {"call block with arguments", "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}[{{ v }}]{% endcall %}",
     "{}", "[1][2]"},
    {"filter block", "{% filter upper %}shout {{ 'it' }}{% endfilter %}", "{}", "SHOUT IT"},
    {"comments", "a{# a comment #}b{#- trimmed -#}  c", "{}", "abc"},
    {"generation markers", "A{% generation %}B{% endgeneration %}C", "{}", "ABC"},
    // whitespace control (trim_blocks and lstrip_blocks on, as Hugging Face renders)
    {"dash trims", "a  {{- 'b' -}}  c\n  {%- if true -%}  d  {%- endif %}", "{}", "abcd"},
    {"trim blocks", "{% if true %}\nx\n{% endif %}\ny\n", "{}", "x\ny"},
    {"lstrip blocks", "  {% if true %}\n  x\n  {% endif %}\n  {{ 'z' }}\n", "{}", "  x\n  z"},
    {"newline after expression kept", "{{ 'a' }}\n{{ 'b' }}", "{}", "a\nb"},
    {"comment trims its line", "  {# note #}\nx", "{}", "x"},
    {"final newline dropped once", "x\n\n", "{}", "x\n"},
    // globals
    {"range", "{{ range(3) }} {{ range(1, 7, 2) }} {{ range(5, 0, -2) }}", "{}", "[0, 1, 2] [1, 3, 5] [5, 3, 1]"},
    {"strftime_now", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M %B %%') }}", "{}",
     "07 Mar 2025 2025-03-07 09:05 March %"},
    {"true as a variable can be shadowed", "{% set true = 'yes' %}{{ true }}", "{}", "yes"},
    // additions beyond the oracle
    {"dict()", "{{ dict(a=1, b='x') }}", "{}", "{\"a\": 1, \"b\": \"x\"}", true},
    {"list.append", "{% set xs = [] %}{% for i in range(3) %}{% set _ = xs.append(i * 2) %}{% endfor %}{{ xs }}", "{}",
     "[0, 2, 4]", true},
    {"test with an argument", "{{ 3 is divisibleby 3 }} {{ 'a' is in ['a'] }} {{ 2.0 is float }}", "{}", "true true true",
     true},
};

} // namespace

class TestJinjaInterpreter : public QObject {
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
        QCOMPARE(t.render(parseJson(context, QStringLiteral("context")), kNow), expected);
    }

    void matchesOracle()
    {
        FT_REQUIRE_ORACLE(dir);
        QList<ft::test::OracleCase> cases;
        for (const Row& row : kRows)
            cases.append({QString::fromUtf8(row.source), QByteArray(row.context), kNow});
        QString error;
        const QList<ft::test::OracleResult> results = ft::test::oracleRender(dir, cases, &error);
        QVERIFY2(!results.isEmpty(), qPrintable(error));
        int equal = 0, beyond = 0;
        for (qsizetype i = 0; i < cases.size(); ++i) {
            const Row& row = kRows[i];
            const QString ours = Template::parse(cases[i].templateSource, QStringLiteral("row"))
                                     .render(parseJson(cases[i].contextJson, QStringLiteral("context")), kNow);
            if (row.beyondOracle) {
                QVERIFY2(!results[i].ok, row.name); // an addition: the oracle refuses it
                ++beyond;
                continue;
            }
            QVERIFY2(results[i].ok, qPrintable(QStringLiteral("%1: %2").arg(row.name, results[i].error)));
            QVERIFY2(ours == results[i].text,
                     qPrintable(QStringLiteral("%1: ours %2, oracle %3").arg(row.name, ours, results[i].text)));
            ++equal;
        }
        qInfo("%d templates equal to @huggingface/jinja; %d additions it refuses", equal, beyond);
    }
};

QTEST_GUILESS_MAIN(TestJinjaInterpreter)
#include "tst_jinja_interpreter.moc"
