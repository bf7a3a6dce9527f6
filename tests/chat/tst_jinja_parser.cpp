// The parser of the Jinja interpreter: the trees it builds (precedence and associativity as in
// @huggingface/jinja), and its refusals: unknown statements, filters and tests, blocks that are not
// closed or closed by the wrong tag, malformed expressions, each named by line and column with what
// was expected. Where the oracle is installed, it must refuse the same templates (all but the rows
// marked stricter: we refuse an unknown filter or test even in a branch that never runs).

#include "chat/jinja_error.h"
#include "chat/jinja_parser.h"
#include "chat/jinja_template.h"

#include "chat_oracle.h"
#include "support/test_support.h"

#include <QTest>

using namespace ft::jinja;

namespace {

QString dump(const Node* n);

QString dumpList(const NodeList& nodes)
{
    QStringList parts;
    for (const NodePtr& n : nodes)
        parts << dump(n.get());
    return parts.join(QLatin1Char(' '));
}

// A compact S-expression of a tree: "(+ 1 (* 2 3))".
QString dump(const Node* n)
{
    if (!n)
        return QStringLiteral("_");
    const auto s = [](const QString& head, QStringList parts) {
        parts.removeAll(QString());
        return QStringLiteral("(%1 %2)").arg(head, parts.join(QLatin1Char(' ')));
    };
    switch (n->kind) {
    case NodeKind::Program: return dumpList(n->body);
    case NodeKind::StringLiteral: return QLatin1Char('\'') + n->text + QLatin1Char('\'');
    case NodeKind::IntegerLiteral: return QString::number(n->integer);
    case NodeKind::FloatLiteral: return QString::number(n->real);
    case NodeKind::Identifier: return n->text;
    case NodeKind::Binary: return s(n->text, {dump(n->a.get()), dump(n->b.get())});
    case NodeKind::Unary: return s(n->text, {dump(n->a.get())});
    case NodeKind::Member: return s(n->flag ? QStringLiteral("[]") : QStringLiteral("."), {dump(n->a.get()), dump(n->b.get())});
    case NodeKind::Slice: return s(QStringLiteral(":"), {dump(n->a.get()), dump(n->b.get()), dump(n->c.get())});
    case NodeKind::Call: return s(QStringLiteral("call"), {dump(n->a.get()), dumpList(n->args)});
    case NodeKind::Filter: return s(QStringLiteral("|"), {dump(n->a.get()), dump(n->b.get())});
    case NodeKind::Test:
        return s(n->flag ? QStringLiteral("is-not") : QStringLiteral("is"), {dump(n->a.get()), n->text, dumpList(n->args)});
    case NodeKind::Select: return s(QStringLiteral("select"), {dump(n->a.get()), dump(n->b.get())});
    case NodeKind::Ternary: return s(QStringLiteral("?"), {dump(n->a.get()), dump(n->b.get()), dump(n->c.get())});
    case NodeKind::KeywordArgument: return s(QStringLiteral("="), {n->text, dump(n->a.get())});
    case NodeKind::Spread: return s(QStringLiteral("*"), {dump(n->a.get())});
    case NodeKind::KeywordSpread: return s(QStringLiteral("**"), {dump(n->a.get())});
    case NodeKind::ArrayLiteral: return QLatin1Char('[') + dumpList(n->args) + QLatin1Char(']');
    case NodeKind::TupleLiteral: return s(QStringLiteral("tuple"), {dumpList(n->args)});
    case NodeKind::ObjectLiteral: {
        QStringList parts;
        for (size_t i = 0; i < n->args.size(); ++i)
            parts << dump(n->args[i].get()) + QLatin1Char(':') + dump(n->body[i].get());
        return QLatin1Char('{') + parts.join(QLatin1Char(' ')) + QLatin1Char('}');
    }
    case NodeKind::If: return s(QStringLiteral("if"), {dump(n->a.get()), dumpList(n->body), QStringLiteral("else"), dumpList(n->alternate)});
    case NodeKind::For:
        return s(QStringLiteral("for"), {dump(n->a.get()), dump(n->b.get()), dumpList(n->body), QStringLiteral("else"), dumpList(n->alternate)});
    case NodeKind::Break: return QStringLiteral("break");
    case NodeKind::Continue: return QStringLiteral("continue");
    case NodeKind::Set: return s(QStringLiteral("set"), {dump(n->a.get()), dump(n->b.get()), dumpList(n->body)});
    case NodeKind::Macro: return s(QStringLiteral("macro"), {n->text, dumpList(n->args), QStringLiteral(":"), dumpList(n->body)});
    case NodeKind::CallBlock: return s(QStringLiteral("callblock"), {dump(n->a.get()), dumpList(n->args), QStringLiteral(":"), dumpList(n->body)});
    case NodeKind::FilterBlock: return s(QStringLiteral("filterblock"), {dump(n->b.get()), dumpList(n->body)});
    case NodeKind::Comment: return QStringLiteral("#");
    }
    return QStringLiteral("?");
}

struct ErrorRow {
    const char* name;
    const char* source;
    const char* message;
    bool stricterThanOracle = false; // the oracle renders it (with x = 1)
};

const ErrorRow kErrors[] = {
    {"unclosed for", "{% for m in messages %}x", "t: line 1, column 25: unexpected end of the template: the '{% for %}' at line 1 is not closed (expected '{% endfor %}')"},
    {"unclosed if over lines", "{%- if x %}\n  a\n{%- elif y %}\n  b\n", "t: line 5, column 1: unexpected end of the template: the '{% if %}' at line 1 is not closed (expected '{% endif %}')"},
    {"wrong closing tag", "{% if x %}a{% endfor %}", "t: line 1, column 15: '{% endfor %}' does not belong to the '{% if %}' at line 1 (expected '{% elif %}', '{% else %}' or '{% endif %}')"},
    {"second else", "{% if x %}{% else %}{% else %}{% endif %}", "t: line 1, column 24: '{% else %}' does not belong to the '{% if %}' at line 1 (expected '{% endif %}')"},
    {"stray end tag", "a\n{% endif %}", "t: line 2, column 4: '{% endif %}' without an open block that it belongs to"},
    {"unknown statement", "{% while x %}{% endwhile %}", "t: line 1, column 4: unknown statement 'while' (supported: if, for, set, macro, call, filter, break, continue)"},
    {"include", "{% include 'other.jinja' %}", "t: line 1, column 4: unknown statement 'include' (supported: if, for, set, macro, call, filter, break, continue)"},
    {"unknown filter", "{{ x | shout }}", "t: line 1, column 8: unknown filter 'shout'"},
    {"unknown filter never run", "{% if false %}{{ x | shout }}{% endif %}", "t: line 1, column 22: unknown filter 'shout'", true},
    {"unknown test", "{{ x is frobbed }}", "t: line 1, column 9: unknown test 'frobbed'"},
    {"missing operand", "{{ x + }}", "t: line 1, column 8: expected an expression, found '}}'"},
    {"unclosed parenthesis", "{{ (x }}", "t: line 1, column 7: expected ')', found '}}'"},
    {"single brace", "{{ x }", "t: line 1, column 6: expected '}}', found '}'"},
    {"for without in", "{% for in xs %}{% endfor %}", "t: line 1, column 11: expected 'in' after the loop variable, found 'xs'"},
    {"slice with four parts", "{{ x[1:2:3:4] }}", "t: line 1, column 5: a slice has at most three parts (start:stop:step)"},
    {"dict without a value", "{{ {'a': } }}", "t: line 1, column 10: expected an expression, found '}'"},
    {"third line", "{% if x %}\n  {%- if y -%}\n    {{ x.  }}\n  {% endif %}\n{% endif %}", "t: line 3, column 12: expected an expression, found '}}'"},
};

} // namespace

class TestJinjaParser : public QObject {
    Q_OBJECT
private slots:
    void trees_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("expected");
        QTest::newRow("arithmetic precedence") << "{{ 1 + 2 * 3 - 4 }}" << "(- (+ 1 (* 2 3)) 4)";
        QTest::newRow("power and floor division") << "{{ a // b ** c % d }}" << "(% (// a (** b c)) d)";
        QTest::newRow("tilde with plus") << "{{ 'a' ~ b + 1 }}" << "(+ (~ 'a' b) 1)";
        QTest::newRow("logic") << "{{ a or b and not c }}" << "(or a (and b (not c)))";
        QTest::newRow("not over comparison") << "{{ not a == b }}" << "(not (== a b))";
        QTest::newRow("in and not in") << "{{ a in b and c not in d }}" << "(and (in a b) (not in c d))";
        QTest::newRow("filters bind tighter than comparison") << "{{ x|trim|length > 0 }}" << "(> (| (| x trim) length) 0)";
        QTest::newRow("filter with arguments") << "{{ xs|join(', ')|upper }}" << "(| (| xs (call join ', ')) upper)";
        QTest::newRow("tests") << "{{ x is defined and y is not none }}" << "(and (is x defined) (is-not y none))";
        QTest::newRow("conditional expressions") << "{{ a if b else c if d else e }}" << "(? b a (? d c e))";
        QTest::newRow("select without else") << "{{ a if b }}" << "(select a b)";
        QTest::newRow("members and slices") << "{{ m.content[1:-1] }}{{ xs[::2] }}{{ d['k'].v }}"
                                            << "([] (. m content) (: 1 -1 _)) ([] xs (: _ _ 2)) (. ([] d 'k') v)";
        QTest::newRow("method call") << "{{ m.content.split('</think>')[-1].lstrip('\\n') }}"
                                     << "(call (. ([] (call (. (. m content) split) '</think>') -1) lstrip) '\n')";
        QTest::newRow("call arguments") << "{{ f(1, k=2, *xs, **kw) }}" << "(call f 1 (= k 2) (* xs) (** kw))";
        QTest::newRow("literals") << "{{ [1, 2.5, 'a'] }}{{ {'k': (1, 2)} }}{{ none }}"
                                  << "[1 2.5 'a'] {'k':(tuple 1 2)} none";
        // Found by fuzz_chat_template: an integer beyond int64 is a JavaScript Number (a float), not
        // an undefined conversion; within 2^63 it stays an integer.
        QTest::newRow("integer beyond int64") << "{{ 33333333333333333333333333333333333333333 }}"
                                              << "3.33333e+40";
        QTest::newRow("integer within int64") << "{{ 9000000000000000000 }}" << "9000000000000000000";
        QTest::newRow("if elif else") << "{% if a %}1{% elif b %}2{% else %}3{% endif %}"
                                      << "(if a '1' else (if b '2' else '3'))";
        QTest::newRow("for with unpacking, filter and else")
            << "{% for k, v in d.items() if v %}{{ k }}{% else %}none{% endfor %}"
            << "(for (tuple k v) (select (call (. d items)) v) k else 'none')";
        QTest::newRow("set forms") << "{% set ns.x = 1 %}{% set a, b = 1, 2 %}{% set t %}x{% endset %}"
                                   << "(set (. ns x) 1) (set (tuple a b) (tuple 1 2)) (set t _ 'x')";
        QTest::newRow("macro") << "{% macro m(a, b=1) %}{{ a }}{% endmacro %}" << "(macro m a (= b 1) : a)";
        QTest::newRow("call block and filter block")
            << "{% call(x) m(1) %}{{ x }}{% endcall %}{% filter upper %}t{% endfilter %}"
            << "(callblock (call m 1) x : x) (filterblock upper 't')";
        QTest::newRow("break, continue and comments") << "{% for x in y %}{# c #}{% break %}{% continue %}{% endfor %}"
                                                      << "(for x y # break continue else)";
    }

    void trees()
    {
        QFETCH(QString, source);
        QFETCH(QString, expected);
        QCOMPARE(dump(parseTemplate(source, QStringLiteral("t")).get()), expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("message");
        for (const ErrorRow& row : kErrors)
            QTest::newRow(row.name) << QString::fromUtf8(row.source) << QString::fromUtf8(row.message);
    }

    void errors()
    {
        QFETCH(QString, source);
        QFETCH(QString, message);
        try {
            Template::parse(source, QStringLiteral("t"));
            QFAIL("no error");
        } catch (const TemplateError& e) {
            QCOMPARE(e.message(), message);
            QVERIFY(!e.raisedByTemplate());
        }
    }

    // What we refuse, the oracle refuses too (at parse or render time), but for the stricter rows.
    void oracleRefusesToo()
    {
        FT_REQUIRE_ORACLE(dir);
        QList<ft::test::OracleCase> cases;
        for (const ErrorRow& row : kErrors)
            cases.append({QString::fromUtf8(row.source), QByteArray(R"({"x": 1, "messages": [], "xs": [1]})"), std::nullopt});
        QString error;
        const QList<ft::test::OracleResult> results = ft::test::oracleRender(dir, cases, &error);
        QVERIFY2(results.size() == cases.size(), qPrintable(error));
        for (qsizetype i = 0; i < cases.size(); ++i)
            QVERIFY2(results[i].ok == kErrors[i].stricterThanOracle,
                     qPrintable(QStringLiteral("%1: the oracle %2").arg(QString::fromUtf8(kErrors[i].name),
                                                                        results[i].ok ? QStringLiteral("renders it")
                                                                                      : results[i].error)));
    }
};

QTEST_GUILESS_MAIN(TestJinjaParser)
#include "tst_jinja_parser.moc"
