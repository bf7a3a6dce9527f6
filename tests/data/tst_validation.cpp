// The validation report: empty fields, duplicates, too long under a tokenizer and template, control
// characters, personal data.
#include <QTemporaryDir>
#include <QTest>

#include "data/example_encoder.h"
#include "data/jsonl_records.h"
#include "data/sample_dataset.h"
#include "data/validation.h"
#include "support/example_builders.h"

using namespace ft;

namespace {

QStringList describe(const ValidationReport& report)
{
    QStringList lines;
    for (const ValidationFinding& f : report.findings)
        lines << QStringLiteral("#%1 %2: %3").arg(f.index).arg(issueKindName(f.kind), f.detail);
    return lines;
}

} // namespace

class TestValidation : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::shared_ptr<const Tokenizer> m_tokenizer;

private slots:
    void initTestCase()
    {
        const QString text = m_dir.filePath(QStringLiteral("sample.txt"));
        writeSampleText(text);
        trainSentencepieceModel(text, m_dir.filePath(QStringLiteral("tok")), 400);
        m_tokenizer = Tokenizer::fromFile(m_dir.filePath(QStringLiteral("tok.model")));
    }
    void kindNames()
    {
        QCOMPARE(issueKindName(IssueKind::EmptyInstruction), QStringLiteral("empty-instruction"));
        QCOMPARE(issueKindName(IssueKind::ControlCharacters), QStringLiteral("control-characters"));
        QCOMPARE(issueKindName(IssueKind::TooLong), QStringLiteral("too-long"));
    }
    void everyCheck()
    {
        const PromptTemplate alpaca = PromptTemplate::builtin(QStringLiteral("alpaca"));
        ExampleRecord multi;
        multi.turns = {{ChatTurn::Role::User, QStringLiteral("Hi")},
                       {ChatTurn::Role::Assistant, QStringLiteral(" ")},
                       {ChatTurn::Role::User, QStringLiteral("")},
                       {ChatTurn::Role::Assistant, QStringLiteral("Bye")}};
        const std::vector<ExampleRecord> records{
            test::examplePair(QStringLiteral("Name a colour."), QStringLiteral("Blue.")),   // 0: fine
            test::examplePair(QStringLiteral("  "), QStringLiteral("Orphan answer.")),      // 1: no instruction
            test::examplePair(QStringLiteral("Unanswered?"), QString()),                    // 2: no response
            test::examplePair(QStringLiteral("name a   COLOUR."), QStringLiteral("blue.")), // 3: duplicate of 0
            test::examplePair(QStringLiteral("Tell a long story."),
                              QStringLiteral("and then ").repeated(400)),                   // 4: too long
            test::examplePair(QStringLiteral("Ring"), QStringLiteral("A bell\x07 rings.")), // 5: control character
            test::examplePair(QStringLiteral("Contact"),
                              QStringLiteral("Mail jo@example.com or call +44 20 7946 0958.")), // 6: personal data
            multi,                                                                              // 7: empty turns
            test::examplePair(QString::fromUtf8("nul\0here", 8),
                              QStringLiteral("x\ty\r\nz")), // 8: NUL (tab, CR, LF are fine)
        };
        ValidationSettings settings;
        settings.tokenizer = m_tokenizer.get();
        settings.promptTemplate = &alpaca;
        settings.maxTokens = 256;
        const int64_t longTokens =
            static_cast<int64_t>(encodeExample(*m_tokenizer, alpaca, records[4], LossOn::Response, 0).ids.size());
        QVERIFY(longTokens > 256);
        for (size_t i = 0; i < records.size(); ++i)
            if (i != 4)
                QVERIFY(encodeExample(*m_tokenizer, alpaca, records[i], LossOn::Response, 0).ids.size() <= 256);
        const ValidationReport report = validateExamples(records, settings);
        QCOMPARE(report.examples, 9);
        QCOMPARE(describe(report), QStringList({
                                       QStringLiteral("#1 empty-instruction: no instruction"),
                                       QStringLiteral("#2 empty-response: no response"),
                                       QStringLiteral("#3 duplicate: duplicate of #0"),
                                       QStringLiteral("#4 too-long: %1 tokens > 256").arg(longTokens),
                                       QStringLiteral("#5 control-characters: U+0007 in the response"),
                                       QStringLiteral("#6 pii: 1 e-mail address, 1 phone number"),
                                       QStringLiteral("#7 empty-response: turn 2 (assistant) is empty"),
                                       QStringLiteral("#7 empty-instruction: turn 3 (user) is empty"),
                                       QStringLiteral("#8 control-characters: U+0000 in the instruction"),
                                   }));
        QCOMPARE(report.counts.at(IssueKind::EmptyInstruction), 2);
        QCOMPARE(report.counts.at(IssueKind::EmptyResponse), 2);
        QCOMPARE(report.counts.at(IssueKind::Duplicate), 1);
        QCOMPARE(report.counts.at(IssueKind::TooLong), 1);
        QCOMPARE(report.counts.at(IssueKind::ControlCharacters), 2);
        QCOMPARE(report.counts.at(IssueKind::Pii), 1);
        QVERIFY(!report.cancelled);
    }
    void switchesAndDefaults()
    {
        const std::vector<ExampleRecord> records{
            test::examplePair(QString(), QStringLiteral("Pre-training text with a@example.com")),
            test::examplePair(QString(), QStringLiteral("pre-training  text with a@example.com"))};
        ValidationSettings settings; // no tokenizer: lengths are not checked
        settings.allowEmptyInstruction = true;
        settings.checkDuplicates = false;
        settings.checkPii = false;
        QVERIFY(validateExamples(records, settings).findings.empty());
        settings.checkDuplicates = true;
        settings.checkPii = true;
        const ValidationReport report = validateExamples(records, settings);
        QCOMPARE(describe(report), QStringList({QStringLiteral("#0 pii: 1 e-mail address"),
                                                QStringLiteral("#1 duplicate: duplicate of #0"),
                                                QStringLiteral("#1 pii: 1 e-mail address")}));
        QCOMPARE(validateExamples(records, ValidationSettings{}).counts.at(IssueKind::EmptyInstruction), 2);
    }
    void sampleDataset()
    {
        // The planted problems of the sample dataset: exact duplicates at lines 195 and 210 (of lines
        // 29 and 61) and personal data at lines 90, 104, 118, 121, 135, 149; nothing else.
        std::vector<ExampleRecord> records;
        for (NumberedRecord& n : readJsonlRecords(sampleDatasetPath()))
            records.push_back(n.record);
        const PromptTemplate chatml = PromptTemplate::builtin(QStringLiteral("chatml"));
        ValidationSettings settings;
        settings.tokenizer = m_tokenizer.get();
        settings.promptTemplate = &chatml;
        settings.maxTokens = 4096;
        const ValidationReport report = validateExamples(records, settings);
        QCOMPARE(describe(report), QStringList({
                                       QStringLiteral("#89 pii: 6 e-mail addresses"),
                                       QStringLiteral("#103 pii: 2 e-mail addresses, 2 phone numbers"),
                                       QStringLiteral("#117 pii: 6 IP addresses"),
                                       QStringLiteral("#120 pii: 1 e-mail address, 1 phone number, 1 card number"),
                                       QStringLiteral("#134 pii: 1 e-mail address, 2 IP addresses"),
                                       QStringLiteral("#148 pii: 1 card number"),
                                       QStringLiteral("#194 duplicate: duplicate of #28"),
                                       QStringLiteral("#209 duplicate: duplicate of #60"),
                                   }));
    }
    void progressAndCancel()
    {
        std::vector<ExampleRecord> records(1000, test::examplePair(QStringLiteral("a"), QStringLiteral("b")));
        int64_t lastDone = -1;
        const ValidationReport full = validateExamples(records, ValidationSettings{}, [&](int64_t done, int64_t total) {
            lastDone = done;
            return total == 1000;
        });
        QCOMPARE(lastDone, 1000);
        QCOMPARE(full.counts.at(IssueKind::Duplicate), 999);
        const ValidationReport stopped =
            validateExamples(records, ValidationSettings{}, [](int64_t done, int64_t) { return done < 200; });
        QVERIFY(stopped.cancelled);
        QVERIFY(stopped.examples >= 200 && stopped.examples < 1000);
    }
};

QTEST_APPLESS_MAIN(TestValidation)
#include "tst_validation.moc"
