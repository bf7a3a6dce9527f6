#include <QTest>

#include "common/error.h"
#include "data/prompt_template.h"
#include "support/example_builders.h"

using namespace ft;

namespace {

// The segments as one readable string: prompt text as is, answers in <<>>, special tokens as [BOS]/[EOS].
QString show(const std::vector<TemplateSegment>& segments)
{
    QString text;
    for (const TemplateSegment& s : segments) {
        switch (s.kind) {
        case TemplateSegment::Kind::Prompt:
            text += s.text;
            break;
        case TemplateSegment::Kind::Response:
            text += QStringLiteral("<<") + s.text + QStringLiteral(">>");
            break;
        case TemplateSegment::Kind::Bos:
            text += QStringLiteral("[BOS]");
            break;
        case TemplateSegment::Kind::Eos:
            text += QStringLiteral("[EOS]");
            break;
        }
    }
    return text;
}

} // namespace

class TestPromptTemplate : public QObject {
    Q_OBJECT
private slots:
    void builtins_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("system");
        QTest::addColumn<QString>("expected");
        QTest::newRow("alpaca")
            << "alpaca"
            << ""
            << ""
            << "Below is an instruction that describes a task. Write a response that appropriately completes the "
               "request.\n\n### Instruction:\nAdd 2 and 2.\n\n### Response:\n<<4>>[EOS]";
        QTest::newRow("alpaca with input")
            << "alpaca"
            << "2, 2"
            << ""
            << "Below is an instruction that describes a task, paired with an input that provides "
               "further context. Write a response that appropriately completes the request.\n\n"
               "### Instruction:\nAdd 2 and 2.\n\n### Input:\n2, 2\n\n### Response:\n<<4>>[EOS]";
        QTest::newRow("chatml with system")
            << "chatml"
            << ""
            << "Be exact."
            << "<|im_start|>system\nBe exact.<|im_end|>\n<|im_start|>user\nAdd 2 and 2.<|im_end|>\n"
               "<|im_start|>assistant\n<<4<|im_end|>>>[EOS]";
        QTest::newRow("llama2 chat") << "llama2-chat"
                                     << ""
                                     << "Be exact."
                                     << "[INST] <<SYS>>\nBe exact.\n<</SYS>>\n\nAdd 2 and 2. [/INST] <<4>>[EOS]";
        QTest::newRow("zephyr") << "zephyr"
                                << ""
                                << ""
                                << "<|user|>\nAdd 2 and 2.[EOS]\n<|assistant|>\n<<4>>[EOS]";
        QTest::newRow("plain") << "plain"
                               << ""
                               << ""
                               << "Add 2 and 2.\n<<4>>[EOS]";
    }
    void builtins()
    {
        QFETCH(QString, name);
        QFETCH(QString, input);
        QFETCH(QString, system);
        QFETCH(QString, expected);
        QCOMPARE(show(PromptTemplate::builtin(name).render(
                     test::examplePair(QStringLiteral("Add 2 and 2."), QStringLiteral("4"), input, system))),
                 expected);
    }
    void promptStopsBeforeTheAnswer()
    {
        const auto t = PromptTemplate::builtin(QStringLiteral("chatml"));
        QCOMPARE(show(t.renderPrompt(test::examplePair(QStringLiteral("Hi"), QString()))),
                 QStringLiteral("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
    }
    void multiTurnKeepsEveryAnswer()
    {
        ExampleRecord r;
        r.turns = {{ChatTurn::Role::User, QStringLiteral("hi")},
                   {ChatTurn::Role::Assistant, QStringLiteral("hello")},
                   {ChatTurn::Role::User, QStringLiteral("bye")},
                   {ChatTurn::Role::Assistant, QStringLiteral("ciao")}};
        const auto t = PromptTemplate::builtin(QStringLiteral("llama2-chat"));
        QCOMPARE(show(t.render(r)),
                 QStringLiteral("[INST] hi [/INST] <<hello>>[EOS][BOS][INST] bye [/INST] <<ciao>>[EOS]"));
        QCOMPARE(show(t.renderPrompt(r)), QStringLiteral("[INST] hi [/INST] <<hello>>[EOS][BOS][INST] bye [/INST] "));
    }
    void customTemplates()
    {
        const auto t =
            PromptTemplate::custom(QStringLiteral("Q: {instruction}[[ ({input})]]\nA: {response}{eos}{{done}}"));
        QCOMPARE(show(t.render(test::examplePair(QStringLiteral("why"), QStringLiteral("because")))),
                 QStringLiteral("Q: why\nA: <<because>>[EOS]<<{done}>>[EOS]"));
        QCOMPARE(
            show(t.render(test::examplePair(QStringLiteral("why"), QStringLiteral("because"), QStringLiteral("sky"))))
                .left(14),
            QStringLiteral("Q: why (sky)\nA"));
        QCOMPARE(PromptTemplate::resolve(QStringLiteral("alpaca")).name, QStringLiteral("alpaca"));
    }
    void badCustomTemplates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown placeholder") << "{question} {response}"
                                             << "unknown placeholder {question}";
        QTest::newRow("no response") << "{instruction}"
                                     << "no {response}";
        QTest::newRow("two responses") << "{response} {response}"
                                       << "more than once";
        QTest::newRow("unclosed brace") << "{instruction {response}"
                                        << "unknown placeholder";
        QTest::newRow("unclosed optional") << "[[{input} {response}"
                                           << "never closed";
        QTest::newRow("stray close") << "{input}]] {response}"
                                     << "closes no";
    }
    void badCustomTemplates()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            PromptTemplate::custom(text);
            QFAIL("a bad template was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
        }
    }
    void unknownBuiltinListsTheKnownOnes()
    {
        try {
            PromptTemplate::resolve(QStringLiteral("vicuna"));
            QFAIL("unknown template accepted");
        } catch (const Error& error) {
            QVERIFY(error.message().contains(QLatin1String("alpaca")));
        }
    }
};

QTEST_APPLESS_MAIN(TestPromptTemplate)
#include "tst_prompt_template.moc"
