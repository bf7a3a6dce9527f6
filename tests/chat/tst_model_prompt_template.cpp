// The prompt template "model": a model folder's own chat template turned into training examples. Checked on
// the Qwen3 and Llama 3 fixture folders (real tokenizer.json and tokenizer_config.json with their templates):
// the ids are the tokenizer's ids of the whole rendered conversation (what apply_chat_template(tokenize=True)
// gives), the loss falls exactly on the assistant turns through their end-of-turn token, no second BOS is
// added, and the generation prompt is the training prefix.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include "chat/chat_template.h"
#include "chat/model_prompt_template.h"
#include "common/error.h"
#include "data/example_encoder.h"
#include "modelio/tokenizer.h"
#include "support/test_support.h"

using namespace ft;

namespace {

ExampleRecord singleTurn()
{
    ExampleRecord record;
    record.system = QStringLiteral("You are terse.");
    record.instruction = QStringLiteral("What colour is a banana?");
    record.input = QStringLiteral("Ripe ones.");
    record.response = QStringLiteral("Yellow.");
    return record;
}

ExampleRecord multiTurn()
{
    ExampleRecord record;
    record.turns = {{ChatTurn::Role::User, QStringLiteral("Name a fruit.")},
                    {ChatTurn::Role::Assistant, QStringLiteral("A pear.")},
                    {ChatTurn::Role::User, QStringLiteral("And a colour?")},
                    {ChatTurn::Role::Assistant, QStringLiteral("Blue.")}};
    return record;
}

// The text of the tokens that carry loss, each maximal run of them joined by "|".
QString targetText(const Tokenizer& tokenizer, const TokenizedExample& example)
{
    QStringList runs;
    std::vector<TokenId> run;
    for (size_t t = 0; t <= example.ids.size(); ++t) {
        if (t < example.ids.size() && example.loss[t]) {
            run.push_back(example.ids[t]);
        } else if (!run.empty()) {
            runs << tokenizer.decodeText(run);
            run.clear();
        }
    }
    return runs.join(QLatin1Char('|'));
}

} // namespace

class TestModelPromptTemplate : public QObject {
    Q_OBJECT

private slots:
    void encodesTheRenderedConversation_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<bool>("multi");
        QTest::addColumn<QString>("targets");
        // Qwen3 puts an empty thinking block before the last answer; the model learns it with the answer.
        QTest::newRow("qwen3 single") << "qwen3" << false << "<think>\n\n</think>\n\nYellow.<|im_end|>";
        QTest::newRow("qwen3 multi-turn")
            << "qwen3" << true << "A pear.<|im_end|>|<think>\n\n</think>\n\nBlue.<|im_end|>";
        QTest::newRow("llama3 single") << "llama3" << false << "Yellow.<|eot_id|>";
        QTest::newRow("llama3 multi-turn") << "llama3" << true << "A pear.<|eot_id|>|Blue.<|eot_id|>";
    }
    void encodesTheRenderedConversation()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, folder);
        QFETCH(bool, multi);
        QFETCH(QString, targets);
        const QString dir = test::sharedPath(QStringLiteral("fixtures/tokenizers/") + folder);
        const auto tokenizer = Tokenizer::fromModelFolder(dir);
        const PromptTemplate format = resolvePromptTemplate(QStringLiteral("model"), dir);
        QCOMPARE(format.name, QStringLiteral("model"));
        const ExampleRecord record = multi ? multiTurn() : singleTurn();

        const TokenizedExample example = encodeExample(*tokenizer, format, record, LossOn::Response, 0);
        QString rendered;
        for (const TemplateSegment& segment : format.render(record))
            rendered += segment.text;
        // The ids of the whole text, as Hugging Face tokenizes a rendered chat (no special tokens added).
        const std::vector<TokenId> whole = tokenizer->encode(rendered);
        QCOMPARE(example.ids, whole);
        QCOMPARE(targetText(*tokenizer, example), targets);
        if (!multi)
            QVERIFY(rendered.contains(QStringLiteral("What colour is a banana?\n\nRipe ones.")));
        if (tokenizer->bosId() >= 0 && folder == QLatin1String("llama3")) {
            QCOMPARE(example.ids[0], tokenizer->bosId()); // the template's own {{ bos_token }}
            QVERIFY(example.ids[1] != tokenizer->bosId());
        }

        // Generation starts from exactly what training put before the last answer.
        const std::vector<TokenId> prompt = encodePrompt(*tokenizer, format, record);
        // The last answer is the last run of loss: the prompt is everything before its first token.
        size_t firstOfLastRun = example.ids.size();
        for (size_t t = example.ids.size(); t-- > 0;) {
            if (example.loss[t])
                firstOfLastRun = t;
            else if (firstOfLastRun != example.ids.size())
                break;
        }
        QCOMPARE(prompt, std::vector<TokenId>(example.ids.begin(), example.ids.begin() + long(firstOfLastRun)));

        // With no answer yet (the Playground, filling responses): the template's generation prompt.
        ExampleRecord question = singleTurn();
        question.response.clear();
        const QString generationPrompt = tokenizer->decodeText(encodePrompt(*tokenizer, format, question));
        QVERIFY2(generationPrompt.endsWith(folder == QLatin1String("qwen3")
                                               ? QStringLiteral("<|im_start|>assistant\n")
                                               : QStringLiteral("<|start_header_id|>assistant<|end_header_id|>\n\n")),
                 qPrintable(generationPrompt));
    }

    void lossOnAllCoversThePromptToo()
    {
        FT_REQUIRE_SHARED();
        const QString dir = test::sharedPath(QStringLiteral("fixtures/tokenizers/qwen3"));
        const auto tokenizer = Tokenizer::fromModelFolder(dir);
        const PromptTemplate format = modelPromptTemplate(dir);
        const TokenizedExample all = encodeExample(*tokenizer, format, singleTurn(), LossOn::All, 0);
        QCOMPARE(all.targetCount(), static_cast<int64_t>(all.ids.size()) - 1);
        const TokenizedExample responses = encodeExample(*tokenizer, format, singleTurn(), LossOn::Response, 0);
        QVERIFY(responses.targetCount() < all.targetCount() / 2);
        QCOMPARE(responses.promptTokens + responses.responseTokens, static_cast<int64_t>(responses.ids.size()));
    }

    // A chat template file of the user's (train --template my.jinja) renders and masks as a model's own.
    void aChatTemplateFileWorksLikeTheModelsOwn()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mine.jinja"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                   "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
        file.close();
        PromptTemplate::validateName(path);
        const QString folder = test::sharedPath(QStringLiteral("fixtures/tokenizers/qwen3"));
        const PromptTemplate format = resolvePromptTemplate(path, folder);
        QCOMPARE(format.name, path);
        const auto tokenizer = Tokenizer::fromModelFolder(folder);
        const TokenizedExample example = encodeExample(*tokenizer, format, multiTurn(), LossOn::Response, 0);
        QCOMPARE(targetText(*tokenizer, example), QStringLiteral("A pear.<|im_end|>|Blue.<|im_end|>"));
        try {
            PromptTemplate::validateName(dir.filePath(QStringLiteral("missing.jinja")));
            QFAIL("a missing template file was accepted");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(QLatin1String("missing.jinja")), qPrintable(error.message()));
        }
    }

    void aFolderWithoutATemplateIsRefusedByName()
    {
        QTemporaryDir dir;
        QFile config(dir.filePath(QStringLiteral("tokenizer_config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"bos_token": "<s>"})");
        config.close();
        QVERIFY(!hasModelChatTemplate(dir.path()));
        try {
            resolvePromptTemplate(QStringLiteral("model"), dir.path());
            QFAIL("a folder without a chat template gave a \"model\" template");
        } catch (const Error& error) {
            QVERIFY2(error.message().contains(dir.path()) && error.message().contains(QLatin1String("alpaca")),
                     qPrintable(error.message()));
        }
        // Built-in names still resolve without a folder; "model" alone is refused with the reason.
        QCOMPARE(resolvePromptTemplate(QStringLiteral("chatml"), QString()).name, QStringLiteral("chatml"));
        PromptTemplate::validateName(QStringLiteral("model"));
        QVERIFY_THROWS_EXCEPTION(Error, PromptTemplate::resolve(QStringLiteral("model")));
    }
};

QTEST_GUILESS_MAIN(TestModelPromptTemplate)
#include "tst_model_prompt_template.moc"
