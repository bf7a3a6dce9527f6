// The assistant spans of rendered conversations (what carries loss in response-only chat training),
// on the fixtures' real Qwen3 and Llama 3 templates and on the well-known templates: exact spans for
// the fixtures' conversation, and on every conversation the properties a loss mask needs (one span
// per assistant message, in order, holding the reply and its end-of-turn marker, never the prompt
// header the model is given).

#include "chat/chat_template.h"
#include "chat/jinja_error.h"
#include "chat/jinja_json.h"
#include "common/error.h"
#include "common/json_file.h"

#include "chat_conversations.h"
#include "known_templates.h"
#include "random_conversations.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QTest>

using namespace ft;

namespace {

struct Subject {
    QString name;
    ChatTemplate chat;
    ChatTemplateOptions options;
};

ChatTemplateOptions fixtureOptions(const QString& model)
{
    return chatTemplateOptionsFromConfig(
        readJsonObjectFile(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/%1/tokenizer_config.json").arg(model))));
}

ChatTemplate fixtureTemplate(const QString& model)
{
    const QList<NamedChatTemplate> templates =
        readModelChatTemplates(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/") + model));
    const NamedChatTemplate* found = findChatTemplate(templates);
    return found ? ChatTemplate::parse(found->source, QStringLiteral("model ") + model) : ChatTemplate();
}

// The fixtures' templates (when ../shared is there) and the known ones, with tools where they read them.
QList<Subject> subjects(bool withFixtures)
{
    QList<Subject> all;
    if (withFixtures) {
        for (const QString& model : {QStringLiteral("qwen3"), QStringLiteral("llama3")})
            all.append({model, fixtureTemplate(model), fixtureOptions(model)});
        Subject noThinking = all.first();
        noThinking.name = QStringLiteral("qwen3 enable_thinking=false");
        noThinking.options.extra = QJsonObject{{QStringLiteral("enable_thinking"), false}};
        all.append(noThinking);
        Subject tools = all.first();
        tools.name = QStringLiteral("qwen3 +tools");
        tools.options.toolsJson = ft::test::kTools;
        all.append(tools);
    }
    for (const ft::test::KnownTemplate& known : ft::test::kKnownTemplates) {
        Subject s{QString::fromUtf8(known.name),
                  ChatTemplate::parse(QString::fromUtf8(known.source), QString::fromUtf8(known.name)),
                  {}};
        s.options.bosToken = QString::fromUtf8(known.bos);
        s.options.eosToken = QString::fromUtf8(known.eos);
        s.options.now = QDateTime(QDate(2025, 3, 7), QTime(9, 5), Qt::UTC);
        all.append(s);
        if (known.tools) {
            s.name += QStringLiteral(" +tools");
            s.options.toolsJson = ft::test::kTools;
            all.append(s);
        }
    }
    return all;
}

const QStringList kMarkers{QStringLiteral("<|im_end|>"), QStringLiteral("<|eot_id|>"), QStringLiteral("<|eom_id|>"),
                           QStringLiteral("<|end|>"), QStringLiteral("<end_of_turn>"), QStringLiteral("</s>")};

QStringList spanTexts(const RenderedChat& chat)
{
    QStringList texts;
    for (const auto& [start, end] : chat.assistantSpans)
        texts << chat.text.mid(start, end - start);
    return texts;
}

// What a reply's span must hold of the message's content: its text after any </think>, trimmed.
QString visibleContent(const jinja::Value& message)
{
    const jinja::Value* content = message.entries().find(QStringLiteral("content"));
    if (!content || !content->isString())
        return {};
    QString text = content->stringValue();
    const qsizetype think = text.lastIndexOf(QStringLiteral("</think>"));
    if (think >= 0)
        text = text.mid(think + 8);
    return text.trimmed();
}

// Why `chat` is not a good set of spans for `messages`; empty when it is.
QString checkSpans(const Subject& s, const jinja::Value& messages, const RenderedChat& chat)
{
    if (chat.text != s.chat.render(messages, s.options))
        return QStringLiteral("the text differs from the plain render");
    const jinja::ValueList& items = messages.items();
    QList<int> assistants;
    for (int i = 0; i < int(items.size()); ++i) {
        const jinja::Value* role = items[size_t(i)].entries().find(QStringLiteral("role"));
        if (role && role->stringValue() == QLatin1String("assistant"))
            assistants << i;
    }
    if (chat.assistantSpans.size() != assistants.size())
        return QStringLiteral("%1 spans for %2 assistant messages").arg(chat.assistantSpans.size()).arg(assistants.size());
    int previousEnd = 0;
    for (qsizetype k = 0; k < assistants.size(); ++k) {
        const auto [start, end] = chat.assistantSpans[k];
        if (start < previousEnd || end <= start || end > chat.text.size())
            return QStringLiteral("span %1 [%2, %3) is out of order or empty").arg(k).arg(start).arg(end);
        previousEnd = end;
        const QString span = chat.text.mid(start, end - start);
        const QString content = visibleContent(items[size_t(assistants[k])]);
        // (Llama 3.1 and 3.2 print only the tool calls of a message that has them, not its content.)
        const bool callsTools = items[size_t(assistants[k])].entries().contains(QStringLiteral("tool_calls"));
        if (!callsTools && !span.contains(content))
            return QStringLiteral("span %1 %2 lacks its content %3").arg(k).arg(span, content);
        bool marked = false;
        for (const QString& marker : kMarkers + QStringList{s.options.eosToken})
            marked = marked || (!marker.isEmpty() && span.endsWith(marker));
        if (!marked)
            return QStringLiteral("span %1 %2 does not end with an end-of-turn marker").arg(k).arg(span);
        // The header the template gives the model to answer after (add_generation_prompt's text)
        // is not in the span, and precedes it; at least its first line (the role's tag) does where
        // the template writes past turns differently (Qwen3 with enable_thinking=false prompts with
        // an empty <think> block that it leaves out of earlier turns).
        ChatTemplateOptions prompt = s.options, plain = s.options;
        prompt.addGenerationPrompt = true;
        plain.addGenerationPrompt = false;
        const jinja::Value before = jinja::Value::list(jinja::ValueList(items.begin(), items.begin() + assistants[k]));
        QString withHeader, withoutHeader;
        try {
            withHeader = s.chat.render(before, prompt);
            withoutHeader = s.chat.render(before, plain);
        } catch (const jinja::TemplateError&) {
            continue; // the template refuses the cut conversation (e.g. it must end with a user turn)
        }
        // Only an answer to a user turn must follow the header: DeepSeek-R1's template writes its
        // <｜Assistant｜> tag as the end of each user turn, so an assistant turn that follows a
        // system or another assistant turn has none.
        const jinja::Value* previousRole =
            assistants[k] > 0 ? items[size_t(assistants[k] - 1)].entries().find(QStringLiteral("role")) : nullptr;
        const bool answersUser = previousRole && previousRole->stringValue() == QLatin1String("user");
        if (answersUser && withHeader.startsWith(withoutHeader) && withHeader.size() > withoutHeader.size()) {
            const QString header = withHeader.mid(withoutHeader.size());
            const qsizetype lineEnd = header.indexOf(QLatin1Char('\n'));
            const QString tag = lineEnd >= 0 ? header.left(lineEnd + 1) : header;
            if (!chat.text.left(start).endsWith(header) && !chat.text.left(start).endsWith(tag))
                return QStringLiteral("span %1 %2 is not preceded by the header %3").arg(k).arg(span, header);
            if (span.contains(header.trimmed()))
                return QStringLiteral("span %1 %2 holds the header %3").arg(k).arg(span, header);
        }
    }
    return {};
}

} // namespace

class TestChatSpans : public QObject {
    Q_OBJECT
private slots:
    // The fixtures' conversation: exactly the replies and their end-of-turn markers.
    void fixtureConversation_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("qwen3") << QStringLiteral("qwen3")
                               << QStringList{QStringLiteral("Red, green and blue.<|im_end|>"),
                                              QStringLiteral("<think>\n\n</think>\n\nYellow.<|im_end|>")};
        QTest::newRow("llama3") << QStringLiteral("llama3")
                                << QStringList{QStringLiteral("Red, green and blue.<|eot_id|>"),
                                               QStringLiteral("Yellow.<|eot_id|>")};
    }

    void fixtureConversation()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, model);
        QFETCH(QStringList, expected);
        const ChatTemplate t = fixtureTemplate(model);
        QVERIFY(!t.isNull());
        const QJsonObject fixture =
            readJsonObjectFile(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/%1/expected.json").arg(model)))
                .value(QStringLiteral("chat_template"))
                .toObject();
        const RenderedChat chat =
            renderWithAssistantSpans(t, fixture.value(QStringLiteral("conversation")).toArray(), fixtureOptions(model));
        QCOMPARE(chat.text, fixture.value(QStringLiteral("rendered")).toString());
        QCOMPARE(spanTexts(chat), expected);
    }

    // Qwen3 with tools: a reply that calls tools carries its <tool_call> blocks; the tool's result does not.
    void qwen3ToolCalls()
    {
        FT_REQUIRE_SHARED();
        ChatTemplateOptions options = fixtureOptions(QStringLiteral("qwen3"));
        options.toolsJson = ft::test::kTools;
        const RenderedChat chat = renderWithAssistantSpans(
            fixtureTemplate(QStringLiteral("qwen3")), jinja::parseJson(ft::test::kConversations[8], QStringLiteral("messages")),
            options);
        QCOMPARE(spanTexts(chat),
                 (QStringList{QStringLiteral("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", "
                                             "\"days\": 2}}\n</tool_call><|im_end|>"),
                              QStringLiteral("<think>\n\n</think>\n\nIt is 21 degrees.<|im_end|>")}));
    }

    // A prefix-stable template: every span is the difference of two prefix renders.
    void chatmlExact()
    {
        const ChatTemplate t = ChatTemplate::parse(QString::fromUtf8(ft::test::kKnownTemplates[0].source), QStringLiteral("chatml"));
        const RenderedChat chat =
            renderWithAssistantSpans(t, jinja::parseJson(ft::test::kConversations[3], QStringLiteral("messages")), {});
        QCOMPARE(chat.text, QStringLiteral("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                                           "<|im_start|>user\n3+3?<|im_end|>\n<|im_start|>assistant\n6<|im_end|>\n"));
        QCOMPARE(chat.assistantSpans, (QList<QPair<int, int>>{{54, 65}, {120, 131}}));
        QCOMPARE(spanTexts(chat), (QStringList{QStringLiteral("4<|im_end|>"), QStringLiteral("6<|im_end|>")}));
    }

    // Every template on every conversation it renders (the fixed ones and random ones): good spans.
    void realTemplates()
    {
        const bool fixtures = !ft::test::sharedDir().isEmpty();
        if (!fixtures && ft::test::sharedRequired())
            QFAIL("../shared is required (FT_REQUIRE_SHARED=1)");
        QStringList problems;
        int conversations = 0, spans = 0, refused = 0;
        QList<QByteArray> all;
        for (const char* conversation : ft::test::kConversations)
            all.append(conversation);
        all += ft::test::randomConversations(20250307, 40);
        for (const Subject& s : subjects(fixtures)) {
            for (const QByteArray& conversation : all) {
                const jinja::Value messages = jinja::parseJson(conversation, QStringLiteral("messages"));
                try {
                    s.chat.render(messages, s.options);
                } catch (const jinja::TemplateError&) {
                    ++refused; // the template refuses this conversation (roles, system placement...)
                    continue;
                }
                ++conversations;
                try {
                    const RenderedChat chat = renderWithAssistantSpans(s.chat, messages, s.options);
                    const QString why = checkSpans(s, messages, chat);
                    if (!why.isEmpty())
                        problems << QStringLiteral("%1 on %2: %3").arg(s.name, QString::fromUtf8(conversation), why);
                    spans += int(chat.assistantSpans.size());
                    if (qEnvironmentVariableIsSet("FT_DUMP_SPANS"))
                        qInfo().noquote() << s.name << conversation << spanTexts(chat);
                } catch (const Error& e) {
                    problems << QStringLiteral("%1 on %2: %3").arg(s.name, QString::fromUtf8(conversation), e.message());
                }
            }
        }
        for (const QString& problem : problems)
            qWarning().noquote() << problem; // QVERIFY2 would cut a long list
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 problems (listed above)").arg(problems.size())));
        qInfo("%d spans in %d rendered conversations checked (%d conversations refused by their template)", spans,
              conversations, refused);
    }

    // A template that prints a reply twice is fine where it is prefix-stable (the reply is what the
    // model writes after the prompt)...
    void printedTwicePrefixStable()
    {
        const ChatTemplate t = ChatTemplate::parse(
            QStringLiteral("{% for m in messages %}{{ m.role }}: {{ m.content }} ({{ m.content }})\n{% endfor %}"
                           "{% if add_generation_prompt %}assistant: {% endif %}"),
            QStringLiteral("twice"));
        const RenderedChat chat =
            renderWithAssistantSpans(t, jinja::parseJson(ft::test::kConversations[3], QStringLiteral("messages")), {});
        QCOMPARE(spanTexts(chat), (QStringList{QStringLiteral("4 (4)"), QStringLiteral("6 (6)")}));
    }

    // ...but where it is not (a trailer after all turns) the span is unknowable: an error, not a guess.
    void ambiguousTemplateIsRefused()
    {
        const ChatTemplate t = ChatTemplate::parse(
            QStringLiteral("{% for m in messages %}[{{ m.role }}] {{ m.content }} / {{ m.content }}\n{% endfor %}"
                           "Total: {{ messages|length }}\n{% if add_generation_prompt %}[assistant] {% endif %}"),
            QStringLiteral("twice"));
        try {
            renderWithAssistantSpans(t, jinja::parseJson(ft::test::kConversations[3], QStringLiteral("messages")), {});
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(e.message().startsWith(QStringLiteral("twice: cannot find where assistant message 1 lies")),
                     qPrintable(e.message()));
        }
    }

    // The template's own refusal (raise_exception) passes through with its message.
    void templateRefusalPassesThrough()
    {
        const ChatTemplate t = ChatTemplate::parse(QString::fromUtf8(ft::test::kKnownTemplates[3].source), QStringLiteral("llama2"));
        QVERIFY_THROWS_EXCEPTION(jinja::TemplateError,
                                 renderWithAssistantSpans(t, jinja::parseJson(ft::test::kConversations[13], QStringLiteral("m")), {}));
    }
};

QTEST_GUILESS_MAIN(TestChatSpans)
#include "tst_chat_spans.moc"
