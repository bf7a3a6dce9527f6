#include <QTemporaryDir>
#include <QTest>

#include "data/example_encoder.h"
#include "data/sample_dataset.h"
#include "support/example_builders.h"

using namespace ft;

class TestExampleEncoder : public QObject {
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
    void responseOnlyMasksThePrompt()
    {
        const auto t = PromptTemplate::builtin(QStringLiteral("alpaca"));
        const ExampleRecord record =
            test::examplePair(QStringLiteral("Name a primary colour."), QStringLiteral("Red is one."));
        const TokenizedExample example = encodeExample(*m_tokenizer, t, record, LossOn::Response, 0);
        const std::vector<TokenId> prompt = encodePrompt(*m_tokenizer, t, record);
        const std::vector<TokenId> answer = m_tokenizer->encode(record.response);
        // ids = BOS + prompt + answer + EOS, and exactly the answer and EOS are targets.
        QCOMPARE(example.ids.front(), m_tokenizer->bosId());
        QCOMPARE(example.ids.back(), m_tokenizer->eosId());
        QCOMPARE(example.ids.size(), prompt.size() + answer.size() + 1);
        QVERIFY(std::equal(prompt.begin(), prompt.end(), example.ids.begin()));
        for (size_t i = 0; i < example.ids.size(); ++i)
            QCOMPARE(example.loss[i], uint8_t(i >= prompt.size() ? 1 : 0));
        QCOMPARE(example.targetCount(), static_cast<int64_t>(answer.size() + 1));
        QCOMPARE(example.responseTokens, static_cast<int64_t>(answer.size() + 1));
        QCOMPARE(m_tokenizer->decodeText(std::vector<TokenId>(
                     example.ids.begin() + static_cast<std::ptrdiff_t>(prompt.size()), example.ids.end() - 1)),
                 record.response);
    }
    void allTokensMode()
    {
        const auto t = PromptTemplate::builtin(QStringLiteral("plain"));
        const TokenizedExample example = encodeExample(
            *m_tokenizer, t, test::examplePair(QStringLiteral("Say hi."), QStringLiteral("Hi!")), LossOn::All, 0);
        QCOMPARE(example.loss.front(), uint8_t(0)); // BOS is never a target
        QCOMPARE(example.targetCount(), static_cast<int64_t>(example.ids.size() - 1));
    }
    void truncationDropsPromptFirst()
    {
        const auto t = PromptTemplate::builtin(QStringLiteral("alpaca"));
        const ExampleRecord record =
            test::examplePair(QStringLiteral("word ").repeated(200), QStringLiteral("A short answer."));
        const TokenizedExample full = encodeExample(*m_tokenizer, t, record, LossOn::Response, 0);
        const TokenizedExample cut = encodeExample(*m_tokenizer, t, record, LossOn::Response, 64);
        QVERIFY(!full.truncated);
        QVERIFY(cut.truncated);
        QCOMPARE(cut.ids.size(), size_t(64));
        QCOMPARE(cut.ids.front(), m_tokenizer->bosId());
        // The whole answer survives; only prompt tokens went.
        QCOMPARE(cut.responseTokens, full.responseTokens);
        QVERIFY(std::equal(full.ids.end() - full.responseTokens, full.ids.end(), cut.ids.end() - cut.responseTokens));
        // When even the answer does not fit, it is cut from the end.
        const TokenizedExample tiny = encodeExample(
            *m_tokenizer, t, test::examplePair(QStringLiteral("x"), QStringLiteral("long answer ").repeated(50)),
            LossOn::Response, 16);
        QCOMPARE(tiny.ids.size(), size_t(16));
        QVERIFY(tiny.truncated);
    }
    void overheadIsTheTemplatesOwnLength()
    {
        const int64_t alpaca = templateOverheadTokens(*m_tokenizer, PromptTemplate::builtin(QStringLiteral("alpaca")));
        const int64_t plain = templateOverheadTokens(*m_tokenizer, PromptTemplate::builtin(QStringLiteral("plain")));
        QVERIFY(alpaca > 20);
        QVERIFY(plain < 8);
    }
};

QTEST_APPLESS_MAIN(TestExampleEncoder)
#include "tst_example_encoder.moc"
