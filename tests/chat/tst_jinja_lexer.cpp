// The tokenizer of the Jinja interpreter: tokens as @huggingface/jinja splits them, Hugging Face's
// whitespace handling (lstrip_blocks, trim_blocks, the final newline, `-` markers, generation
// tags), every token's offset in the original source, and errors that name the line and column.

#include "chat/jinja_error.h"
#include "chat/jinja_lexer.h"

#include <QTest>

using namespace ft::jinja;

namespace {

// "Type:value@offset" for every token, to compare whole sequences at once.
QString describe(const QList<Token>& tokens)
{
    static const char* const names[] = {"Text", "Number", "String", "Id", "=", "(", ")", "{%", "%}", "{{", "}}",
                                        "[", "]", "{", "}", ",", ".", ":", "|", "Call", "Add", "Mul", "Pow",
                                        "Cmp", "Unary", "Comment"};
    QStringList parts;
    for (const Token& t : tokens)
        parts << QStringLiteral("%1:%2@%3").arg(QLatin1String(names[int(t.type)]), t.value).arg(t.offset);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestJinjaLexer : public QObject {
    Q_OBJECT
private slots:
    void tokens_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text and expression") << "Hi {{ name }}."
                                             << "Text:Hi @0 {{:{{@3 Id:name@6 }}:}}@11 Text:.@13";
        QTest::newRow("statement") << "{% for m in xs %}{% endfor %}"
                                   << "{%:{%@0 Id:for@3 Id:m@7 Id:in@9 Id:xs@12 %}:%}@15 {%:{%@17 Id:endfor@20 %}:%}@27";
        QTest::newRow("operators") << "{{ a<=b//2**3~c!=d }}"
                                   << "{{:{{@0 Id:a@3 Cmp:<=@4 Id:b@6 Mul://@7 Number:2@9 Pow:**@10 Number:3@12 "
                                      "Add:~@13 Id:c@14 Cmp:!=@15 Id:d@17 }}:}}@19";
        QTest::newRow("signs") << "{{ a-1 }}{{ (-1.5) }}{{ -x }}"
                               << "{{:{{@0 Id:a@3 Add:-@4 Number:1@5 }}:}}@7 {{:{{@9 (:(@12 Number:-1.5@13 ):)@17 "
                                  "}}:}}@19 {{:{{@21 Unary:-@24 Id:x@25 }}:}}@27";
        QTest::newRow("strings and escapes") << "{{ 'a\\n' \"b\\\"\" '\\x41\\u00e9' }}"
                                             << "{{:{{@0 String:a\n@3 String:b\"@9 String:A\u00e9@15 }}:}}@28";
        QTest::newRow("member and subscript") << "{{ m.content[1:] }}"
                                              << "{{:{{@0 Id:m@3 .:.@4 Id:content@5 [:[@12 Number:1@13 :::@14 ]:]@15 }}:}}@17";
        QTest::newRow("dict literal closes inside an expression")
            << "{{ {'a': {'b': 1}} }}"
            << "{{:{{@0 {:{@3 String:a@4 :::@7 {:{@9 String:b@10 :::@13 Number:1@15 }:}@16 }:}@17 }}:}}@19";
        QTest::newRow("dash trims around it") << "a  {{- x -}}  b\n  {%- if y -%}\n c"
                                              << "Text:a@0 {{:{{@3 Id:x@7 }}:}}@9 Text:b@14 {%:{%@18 Id:if@22 "
                                                 "Id:y@25 %}:%}@27 Text:c@32";
        QTest::newRow("lstrip and trim blocks") << "  {% if x %}\n  y\n  {% endif %}\n"
                                                << "{%:{%@2 Id:if@5 Id:x@8 %}:%}@10 Text:  y\n@13 {%:{%@19 Id:endif@22 %}:%}@28";
        QTest::newRow("newline after an expression stays") << "{{ x }}\ny"
                                                           << "{{:{{@0 Id:x@3 }}:}}@5 Text:\ny@7";
        QTest::newRow("final newline dropped once") << "x\n\n" << "Text:x\n@0";
        QTest::newRow("comments") << "a{# note #}b{#- trimmed -#}  c"
                                  << "Text:a@0 Comment: note @1 Text:b@11 Comment: trimmed @12 Text:c@29";
        QTest::newRow("generation tags removed") << "A{% generation %}B {%- endgeneration %}C"
                                                 << "Text:ABC@0";
    }

    void tokens()
    {
        QFETCH(QString, source);
        QFETCH(QString, expected);
        QCOMPARE(describe(tokenize(source, QStringLiteral("t"))), expected);
    }

    // Errors name the template, the line and the column of the original source (before the
    // whitespace handling moved anything).
    void errors_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("message");
        QTest::newRow("unclosed string") << "a\n{{ 'abc }}"
                                         << "t: line 2, column 4: unexpected end of the template (a tag or string is not closed)";
        QTest::newRow("unknown character") << "{{ x @ y }}" << "t: line 1, column 6: unexpected character '@'";
        QTest::newRow("bad escape") << "{{ 'a\\q' }}" << "t: line 1, column 6: unexpected escaped character '\\q'";
        QTest::newRow("bad hex escape") << "{{ '\\x4g' }}" << "t: line 1, column 5: invalid hexadecimal escape sequence \\x4g";
        QTest::newRow("unclosed comment after lstrip") << "x\n\n   {# open"
                                                       << "t: line 3, column 4: the comment is not closed (no '#}')";
        QTest::newRow("after trimmed lines") << "{% if a %}\n  {%- if b -%}\n    {{ x $ }}"
                                             << "t: line 3, column 10: unexpected character '$'";
    }

    void errors()
    {
        QFETCH(QString, source);
        QFETCH(QString, message);
        try {
            tokenize(source, QStringLiteral("t"));
            QFAIL("no error");
        } catch (const TemplateError& e) {
            QCOMPARE(e.message(), message);
        }
    }

    void describeTokens()
    {
        QCOMPARE(describeToken({TokenType::Identifier, QStringLiteral("endfor"), 0}), QStringLiteral("'endfor'"));
        QCOMPARE(describeToken({TokenType::Text, QStringLiteral("abc"), 0}), QStringLiteral("text"));
        QCOMPARE(describeToken({TokenType::StringLiteral, QStringLiteral("hi"), 0}), QStringLiteral("the string 'hi'"));
    }
};

QTEST_GUILESS_MAIN(TestJinjaLexer)
#include "tst_jinja_lexer.moc"
