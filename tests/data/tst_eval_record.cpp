// What an evaluation keeps of a record: the prompt and reference shown (single exchange and
// conversation), a key equal for equal records only, and a digest of a set that depends on order.

#include <QTest>

#include "data/eval_record.h"

using namespace ft;

namespace {

ExampleRecord record(const QString& instruction, const QString& response, const QString& input = {})
{
    ExampleRecord r;
    r.instruction = instruction;
    r.input = input;
    r.response = response;
    return r;
}

} // namespace

class TestEvalRecord : public QObject {
    Q_OBJECT
private slots:
    void promptAndReference()
    {
        QCOMPARE(evalPromptText(record(QStringLiteral("Summarise."), QStringLiteral("Short."))),
                 QStringLiteral("Summarise."));
        QCOMPARE(evalPromptText(
                     record(QStringLiteral("Summarise."), QStringLiteral("Short."), QStringLiteral("A long text."))),
                 QStringLiteral("Summarise.\n\nA long text."));
        QCOMPARE(evalReferenceText(record(QStringLiteral("Summarise."), QStringLiteral("Short."))),
                 QStringLiteral("Short."));
        ExampleRecord chat;
        chat.turns = {{ChatTurn::Role::User, QStringLiteral("Hi")},
                      {ChatTurn::Role::Assistant, QStringLiteral("Hello!")},
                      {ChatTurn::Role::User, QStringLiteral("Name a colour.")},
                      {ChatTurn::Role::Assistant, QStringLiteral("Blue.")}};
        QCOMPARE(evalPromptText(chat), QStringLiteral("Name a colour."));
        QCOMPARE(evalReferenceText(chat), QStringLiteral("Blue."));
    }

    void keysAndDigests()
    {
        const ExampleRecord a = record(QStringLiteral("a"), QStringLiteral("1"));
        const ExampleRecord b = record(QStringLiteral("b"), QStringLiteral("1"));
        QCOMPARE(recordKey(a), recordKey(record(QStringLiteral("a"), QStringLiteral("1"))));
        QCOMPARE(recordKey(a).size(), 64);
        QVERIFY(recordKey(a) != recordKey(b));
        ExampleRecord withSystem = a;
        withSystem.system = QStringLiteral("Be brief.");
        QVERIFY(recordKey(a) != recordKey(withSystem));
        QCOMPARE(recordsSha256({a, b}), recordsSha256({a, b}));
        QVERIFY(recordsSha256({a, b}) != recordsSha256({b, a}));
        QVERIFY(recordsSha256({a}) != recordsSha256({a, a}));
    }
};

QTEST_APPLESS_MAIN(TestEvalRecord)
#include "tst_eval_record.moc"
