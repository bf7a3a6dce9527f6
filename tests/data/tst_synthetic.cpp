// Synthetic expansion of a template with slots.
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "data/synthetic.h"
#include "dataset_test_util.h"

using namespace ft;

class TestSynthetic : public QObject {
    Q_OBJECT
private slots:
    void everyCombinationInOrder()
    {
        SyntheticTemplate t;
        t.instruction = QStringLiteral("Translate {word} to {language}.");
        t.input = QStringLiteral("{ word }");
        t.slotValues[QStringLiteral("word")] = {QStringLiteral("cat"), QStringLiteral("dog")};
        t.slotValues[QStringLiteral("language")] = {QStringLiteral("French"), QStringLiteral("German"),
                                                    QStringLiteral("Welsh")};
        const std::vector<ExampleRecord> records = expandSyntheticTemplate(t);
        QCOMPARE(records.size(), size_t(6));
        // Slots in name order (language, word), the last turning fastest.
        QCOMPARE(records[0].instruction, QStringLiteral("Translate cat to French."));
        QCOMPARE(records[1].instruction, QStringLiteral("Translate dog to French."));
        QCOMPARE(records[2].instruction, QStringLiteral("Translate cat to German."));
        QCOMPARE(records[5].instruction, QStringLiteral("Translate dog to Welsh."));
        QCOMPARE(records[5].input, QStringLiteral("dog"));
        QVERIFY(records[0].response.isEmpty()); // to be filled by generation
        QCOMPARE(expandSyntheticTemplate(t, 4).size(), size_t(4));
        QCOMPARE(expandSyntheticTemplate(t, 100).size(), size_t(6));
    }
    void literalBracesAndResponses()
    {
        SyntheticTemplate t;
        t.instruction = QStringLiteral("Format {{ {name} }} as JSON.");
        t.response = QStringLiteral("{{\"name\": \"{name}\"}}");
        t.slotValues[QStringLiteral("name")] = {QStringLiteral("Ada")};
        const std::vector<ExampleRecord> records = expandSyntheticTemplate(t);
        QCOMPARE(records.size(), size_t(1));
        QCOMPARE(records[0].instruction, QStringLiteral("Format { Ada } as JSON."));
        QCOMPARE(records[0].response, QStringLiteral("{\"name\": \"Ada\"}"));
    }
    void errorsNameTheSlot()
    {
        SyntheticTemplate unused;
        unused.instruction = QStringLiteral("Say {a}.");
        unused.slotValues[QStringLiteral("a")] = {QStringLiteral("x")};
        unused.slotValues[QStringLiteral("b")] = {QStringLiteral("y")};
        FT_EXPECT_ERROR(expandSyntheticTemplate(unused), QStringLiteral("slot \"b\" has values but is not used"));
        SyntheticTemplate missing;
        missing.instruction = QStringLiteral("Say {a} and {c}.");
        missing.slotValues[QStringLiteral("a")] = {QStringLiteral("x")};
        FT_EXPECT_ERROR(expandSyntheticTemplate(missing),
                        QStringLiteral("slot {c} is used in the text but given no values"));
        missing.slotValues[QStringLiteral("c")] = {};
        FT_EXPECT_ERROR(expandSyntheticTemplate(missing), QStringLiteral("slot {c}"));
        SyntheticTemplate huge;
        huge.instruction = QStringLiteral("{a}{b}{c}{d}");
        QStringList hundred;
        for (int i = 0; i < 100; ++i)
            hundred << QString::number(i);
        for (const char* name : {"a", "b", "c", "d"})
            huge.slotValues[QString::fromLatin1(name)] = hundred;
        FT_EXPECT_ERROR(expandSyntheticTemplate(huge), QStringLiteral("set a limit"));
        QCOMPARE(expandSyntheticTemplate(huge, 5).back().instruction, QStringLiteral("0004"));
    }
    void readsAFile()
    {
        QTemporaryDir dir;
        const QString path = test::writeBytes(dir, QStringLiteral("t.json"),
                                              "{\"instruction\": \"What is the capital of {country}?\", \"slots\": "
                                              "{\"country\": [\"France\", \"Peru\"]}}");
        const SyntheticTemplate t = readSyntheticTemplate(path);
        QCOMPARE(t.instruction, QStringLiteral("What is the capital of {country}?"));
        QCOMPARE(t.slotValues.at(QStringLiteral("country")), QStringList({"France", "Peru"}));
        QCOMPARE(expandSyntheticTemplate(t).size(), size_t(2));
        const QString bad = test::writeBytes(dir, QStringLiteral("bad.json"),
                                             "{\"instruction\": \"x {a}\", \"slots\": {\"a\": [1, 2]}}");
        FT_EXPECT_ERROR(readSyntheticTemplate(bad), bad, QStringLiteral("slot \"a\" must hold only strings"));
        const QString noSlots = test::writeBytes(dir, QStringLiteral("none.json"), "{\"instruction\": \"x\"}");
        FT_EXPECT_ERROR(readSyntheticTemplate(noSlots), noSlots, QStringLiteral("\"slots\""));
    }
};

QTEST_APPLESS_MAIN(TestSynthetic)
#include "tst_synthetic.moc"
