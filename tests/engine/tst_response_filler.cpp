// Filling empty responses by generation, on a tiny random model: only the empty ones change.
#include <QTest>

#include "data/example_encoder.h"
#include "engine/response_filler.h"
#include "engine_test_support.h"
#include "support/example_builders.h"

using namespace ft;

class TestResponseFiller : public QObject {
    Q_OBJECT
private:
    std::shared_ptr<const Tokenizer> m_tokenizer;
    LlamaForCausalLM m_model{nullptr};

    std::vector<ExampleRecord> records() const
    {
        ExampleRecord conversation;
        conversation.turns = {{ChatTurn::Role::User, QStringLiteral("Hi")},
                              {ChatTurn::Role::Assistant, QStringLiteral("Hello!")},
                              {ChatTurn::Role::User, QStringLiteral("Name a fruit.")},
                              {ChatTurn::Role::Assistant, QString()}};
        ExampleRecord answeredConversation = conversation;
        answeredConversation.turns.back().content = QStringLiteral("Apple.");
        return {test::examplePair(QStringLiteral("Say yes."), QStringLiteral("Yes.")),
                test::examplePair(QStringLiteral("Count to three."), QString()),
                test::examplePair(QStringLiteral("Name a colour."), QStringLiteral("Blue.")),
                test::examplePair(QStringLiteral("Whitespace only"), QStringLiteral(" \n ")),
                conversation,
                answeredConversation};
    }
    SamplingOptions options() const
    {
        SamplingOptions o;
        o.maxNewTokens = 6;
        o.stopAtEos = false; // a random model may end at once; the test wants text
        o.seed = 3;
        return o;
    }

private slots:
    void initTestCase()
    {
        m_tokenizer = Tokenizer::fromFile(test::testTokenizerPath());
        m_model = LlamaForCausalLM(test::tinyConfig(), torch::kFloat32, WeightInit::Random, 11);
    }
    void fillsOnlyTheEmptyOnes()
    {
        const PromptTemplate alpaca = PromptTemplate::builtin(QStringLiteral("alpaca"));
        const std::vector<ExampleRecord> before = records();
        std::vector<ExampleRecord> after = before;
        std::vector<std::pair<int64_t, int64_t>> calls;
        const int64_t filled =
            fillEmptyResponses(after, *m_model, *m_tokenizer, alpaca, options(), [&](int64_t done, int64_t total) {
                calls.emplace_back(done, total);
                return true;
            });
        QCOMPARE(filled, int64_t(3));
        QCOMPARE(calls.front(), std::make_pair(int64_t(0), int64_t(3)));
        QCOMPARE(calls.back(), std::make_pair(int64_t(3), int64_t(3)));
        for (size_t i : {size_t(0), size_t(2), size_t(5)})
            QCOMPARE(after[i].toJson(), before[i].toJson());
        for (size_t i : {size_t(1), size_t(3)}) {
            QVERIFY(!after[i].response.trimmed().isEmpty());
            QCOMPARE(after[i].instruction, before[i].instruction);
            QVERIFY(!needsResponse(after[i]));
        }
        QVERIFY(!after[4].turns.back().content.isEmpty());
        QCOMPARE(after[4].turns.size(), size_t(4));
        QCOMPARE(after[4].turns[1].content, QStringLiteral("Hello!"));
        // The same seed gives the same answers; the answer is what generation makes of the prompt.
        std::vector<ExampleRecord> again = before;
        fillEmptyResponses(again, *m_model, *m_tokenizer, alpaca, options());
        for (size_t i = 0; i < again.size(); ++i)
            QCOMPARE(again[i].toJson(), after[i].toJson());
        SamplingOptions first = options();
        const QString expected =
            generate(*m_model, *m_tokenizer, encodePrompt(*m_tokenizer, alpaca, before[1]), first).text.trimmed();
        QCOMPARE(after[1].response, expected);
    }
    void stopsWhenAsked()
    {
        std::vector<ExampleRecord> after = records();
        const int64_t filled =
            fillEmptyResponses(after, *m_model, *m_tokenizer, PromptTemplate::builtin(QStringLiteral("plain")),
                               options(), [](int64_t done, int64_t) { return done < 1; });
        QCOMPARE(filled, int64_t(1));
        QVERIFY(!after[1].response.isEmpty());
        QVERIFY(needsResponse(after[3]));
    }
};

QTEST_APPLESS_MAIN(TestResponseFiller)
#include "tst_response_filler.moc"
