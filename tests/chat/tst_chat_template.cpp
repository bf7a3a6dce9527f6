// Models' chat templates: the fixtures' expected renders, @huggingface/jinja on many conversations
// (with and without a system prompt, multi-turn, empty content, content as parts, tool calls and
// results, reasoning_content, add_generation_prompt on and off) for the fixtures' Qwen3 and Llama 3
// templates and for well-known templates written inline, and readModelChatTemplates.

#include "chat/chat_template.h"
#include "chat/jinja_error.h"
#include "chat/jinja_json.h"
#include "common/json_file.h"

#include "chat_oracle.h"
#include "chat_conversations.h"
#include "known_templates.h"
#include "random_conversations.h"
#include "support/test_support.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace ft;
using ft::test::kConversations;
using ft::test::kTools;

namespace {

const QDateTime kNow(QDate(2025, 3, 7), QTime(9, 5), Qt::UTC);

QJsonObject fixtureConfig(const QString& model)
{
    return readJsonObjectFile(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/%1/tokenizer_config.json").arg(model)));
}

ChatTemplate fixtureTemplate(const QString& model)
{
    const QList<NamedChatTemplate> templates =
        readModelChatTemplates(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/") + model));
    const NamedChatTemplate* found = findChatTemplate(templates);
    return found ? ChatTemplate::parse(found->source, QStringLiteral("model ") + model) : ChatTemplate();
}

// Ours, as the oracle reports results: ok and text, or the error's message.
ft::test::OracleResult ours(const ChatTemplate& t, const QByteArray& messages, const ChatTemplateOptions& options)
{
    try {
        return {true, t.render(jinja::parseJson(messages, QStringLiteral("messages")), options), {}};
    } catch (const jinja::TemplateError& e) {
        return {false, {}, e.raisedByTemplate() ? e.detail() : e.message()};
    }
}

// Equal texts, or both failing (with the same message when the template raised it).
QString difference(const ft::test::OracleResult& a, const ft::test::OracleResult& oracle)
{
    if (a.ok != oracle.ok)
        return QStringLiteral("ours %1, the oracle %2")
            .arg(a.ok ? QStringLiteral("rendered") : QStringLiteral("failed (%1)").arg(a.error),
                 oracle.ok ? QStringLiteral("rendered") : QStringLiteral("failed (%1)").arg(oracle.error));
    if (a.ok && a.text != oracle.text)
        return QStringLiteral("ours:\n%1\noracle:\n%2").arg(a.text, oracle.text);
    return {};
}

QByteArray contextJson(const QByteArray& messages, const ChatTemplateOptions& o)
{
    QByteArray json = "{\"messages\":" + messages + ",\"add_generation_prompt\":" +
                      (o.addGenerationPrompt ? "true" : "false") + ",\"bos_token\":" + ft::test::jsonString(o.bosToken) +
                      ",\"eos_token\":" + ft::test::jsonString(o.eosToken);
    if (!o.toolsJson.isEmpty())
        json += ",\"tools\":" + o.toolsJson;
    for (auto it = o.extra.begin(); it != o.extra.end(); ++it)
        json += "," + ft::test::jsonString(it.key()) + ":" +
                QJsonDocument(QJsonArray{it.value()}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return json + "}";
}

} // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT
private slots:
    void fixtures_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("qwen3") << QStringLiteral("qwen3");
        QTest::newRow("llama3") << QStringLiteral("llama3");
    }

    void fixtures()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, model);
        const QJsonObject expected =
            readJsonObjectFile(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/%1/expected.json").arg(model)))
                .value(QStringLiteral("chat_template"))
                .toObject();
        QVERIFY(!expected.isEmpty());
        const ChatTemplate t = fixtureTemplate(model);
        QVERIFY(!t.isNull());
        ChatTemplateOptions options = chatTemplateOptionsFromConfig(fixtureConfig(model));
        QJsonArray conversation = expected.value(QStringLiteral("conversation")).toArray();
        QCOMPARE(t.render(conversation, options), expected.value(QStringLiteral("rendered")).toString());
        QJsonArray withoutSystem = conversation;
        withoutSystem.removeFirst();
        QCOMPARE(t.render(withoutSystem, options), expected.value(QStringLiteral("rendered_without_system")).toString());
        QJsonArray prompt = conversation;
        prompt.removeLast();
        options.addGenerationPrompt = true;
        QCOMPARE(t.render(prompt, options), expected.value(QStringLiteral("prompt_for_last_turn")).toString());
    }

    void fixtureWithoutTemplate()
    {
        FT_REQUIRE_SHARED();
        QVERIFY(readModelChatTemplates(ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/llama2-tokenizer-json")))
                    .isEmpty());
    }

    // render-chat.mjs on the fixtures' tokenizer_config.json, exactly as the oracles' README runs it.
    void fixtureTemplatesMatchRenderChat()
    {
        FT_REQUIRE_SHARED();
        FT_REQUIRE_ORACLE(dir);
        QStringList mismatches;
        int compared = 0, bothFailed = 0;
        for (const QString& model : {QStringLiteral("qwen3"), QStringLiteral("llama3")}) {
            const QString config = ft::test::sharedPath(QStringLiteral("fixtures/tokenizers/%1/tokenizer_config.json").arg(model));
            const ChatTemplate t = fixtureTemplate(model);
            ChatTemplateOptions options = chatTemplateOptionsFromConfig(fixtureConfig(model));
            for (const char* conversation : kConversations) {
                for (const bool generation : {false, true}) {
                    options.addGenerationPrompt = generation;
                    const auto oracle = ft::test::renderChatOracle(dir, config, conversation, generation);
                    const QString diff = difference(ours(t, conversation, options), oracle);
                    if (!diff.isEmpty())
                        mismatches << QStringLiteral("%1 %2 gen=%3: %4").arg(model, conversation).arg(generation).arg(diff);
                    ++compared;
                    bothFailed += oracle.ok ? 0 : 1;
                }
            }
        }
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QStringLiteral("\n\n"))));
        qInfo("render-chat.mjs: %d renders of 2 fixture templates equal (%d of them errors in both)", compared, bothFailed);
    }

    // Every known template and the fixtures' Qwen3 with tools, enable_thinking and a fixed date, in
    // one node process (render_oracle.mjs).
    void knownTemplatesMatchOracle()
    {
        FT_REQUIRE_SHARED();
        FT_REQUIRE_ORACLE(dir);
        struct Case {
            QString name;
            ChatTemplate chat;
            ChatTemplateOptions options;
            QByteArray messages;
        };
        QList<Case> cases;
        QList<ft::test::OracleCase> oracleCases;
        const auto add = [&](const QString& name, const ChatTemplate& chat, const ChatTemplateOptions& options,
                             const QByteArray& messages) {
            cases.append({name, chat, options, messages});
            oracleCases.append({chat.source(), contextJson(messages, options), options.now});
        };
        for (const ft::test::KnownTemplate& known : ft::test::kKnownTemplates) {
            const ChatTemplate chat = ChatTemplate::parse(QString::fromUtf8(known.source), QString::fromUtf8(known.name));
            ChatTemplateOptions options;
            options.bosToken = QString::fromUtf8(known.bos);
            options.eosToken = QString::fromUtf8(known.eos);
            options.now = kNow;
            for (const char* conversation : kConversations) {
                for (const bool generation : {false, true}) {
                    options.addGenerationPrompt = generation;
                    options.toolsJson.clear();
                    add(QString::fromUtf8(known.name), chat, options, conversation);
                    if (known.tools) {
                        options.toolsJson = kTools;
                        add(QString::fromUtf8(known.name) + QStringLiteral(" +tools"), chat, options, conversation);
                    }
                }
            }
        }
        const ChatTemplate qwen3 = fixtureTemplate(QStringLiteral("qwen3"));
        ChatTemplateOptions options = chatTemplateOptionsFromConfig(fixtureConfig(QStringLiteral("qwen3")));
        for (const char* conversation : kConversations) {
            for (const bool generation : {false, true}) {
                options.addGenerationPrompt = generation;
                options.toolsJson = kTools;
                options.extra = {};
                add(QStringLiteral("qwen3 +tools"), qwen3, options, conversation);
                options.toolsJson.clear();
                options.extra = QJsonObject{{QStringLiteral("enable_thinking"), false}};
                add(QStringLiteral("qwen3 enable_thinking=false"), qwen3, options, conversation);
            }
        }
        QString error;
        const QList<ft::test::OracleResult> results = ft::test::oracleRender(dir, oracleCases, &error);
        QVERIFY2(results.size() == cases.size(), qPrintable(error));
        QStringList mismatches;
        int rendered = 0, failed = 0;
        for (qsizetype i = 0; i < cases.size(); ++i) {
            const QString diff = difference(ours(cases[i].chat, cases[i].messages, cases[i].options), results[i]);
            if (!diff.isEmpty())
                mismatches << QStringLiteral("%1 gen=%2 %3: %4")
                                  .arg(cases[i].name)
                                  .arg(cases[i].options.addGenerationPrompt)
                                  .arg(QString::fromUtf8(cases[i].messages), diff);
            (results[i].ok ? rendered : failed) += 1;
        }
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QStringLiteral("\n\n"))));
        qInfo("render_oracle.mjs: %lld renders of %d templates equal (%d texts, %d errors in both)",
              static_cast<long long>(cases.size()), int(std::size(ft::test::kKnownTemplates)) + 1, rendered, failed);
    }

    // Random conversations (fixed seed) on the fixtures' templates, with and without tools, with
    // enable_thinking absent, false and true, and on every known template, in one node process.
    void randomConversationsMatchOracle()
    {
        FT_REQUIRE_SHARED();
        FT_REQUIRE_ORACLE(dir);
        struct Case {
            QString name;
            ChatTemplate chat;
            ChatTemplateOptions options;
            QByteArray messages;
        };
        QList<Case> cases;
        QList<ft::test::OracleCase> oracleCases;
        QList<Case> subjects;
        for (const QString& model : {QStringLiteral("qwen3"), QStringLiteral("llama3")})
            subjects.append({model, fixtureTemplate(model), chatTemplateOptionsFromConfig(fixtureConfig(model)), {}});
        for (const QJsonValue& thinking : {QJsonValue(false), QJsonValue(true)}) {
            Case qwen3 = subjects.first();
            qwen3.name = QStringLiteral("qwen3 enable_thinking=%1").arg(thinking.toBool());
            qwen3.options.extra = QJsonObject{{QStringLiteral("enable_thinking"), thinking}};
            subjects.append(qwen3);
            qwen3.name += QStringLiteral(" +tools");
            qwen3.options.toolsJson = kTools;
            subjects.append(qwen3);
        }
        for (const ft::test::KnownTemplate& known : ft::test::kKnownTemplates) {
            Case c{QString::fromUtf8(known.name), ChatTemplate::parse(QString::fromUtf8(known.source), QString::fromUtf8(known.name)), {}, {}};
            c.options.bosToken = QString::fromUtf8(known.bos);
            c.options.eosToken = QString::fromUtf8(known.eos);
            c.options.now = kNow;
            subjects.append(c);
            if (known.tools) {
                c.name += QStringLiteral(" +tools");
                c.options.toolsJson = kTools;
                subjects.append(c);
            }
        }
        const QList<QByteArray> conversations = ft::test::randomConversations(20250307, 40);
        for (const Case& subject : subjects) {
            for (const QByteArray& messages : conversations) {
                for (const bool generation : {false, true}) {
                    Case c = subject;
                    c.options.addGenerationPrompt = generation;
                    c.messages = messages;
                    cases.append(c);
                    oracleCases.append({c.chat.source(), contextJson(messages, c.options), c.options.now});
                }
            }
        }
        QString error;
        const QList<ft::test::OracleResult> results = ft::test::oracleRender(dir, oracleCases, &error);
        QVERIFY2(results.size() == cases.size(), qPrintable(error));
        QStringList mismatches;
        int rendered = 0;
        for (qsizetype i = 0; i < cases.size(); ++i) {
            const QString diff = difference(ours(cases[i].chat, cases[i].messages, cases[i].options), results[i]);
            if (!diff.isEmpty())
                mismatches << QStringLiteral("%1 gen=%2 %3: %4")
                                  .arg(cases[i].name)
                                  .arg(cases[i].options.addGenerationPrompt)
                                  .arg(QString::fromUtf8(cases[i].messages), diff);
            rendered += results[i].ok ? 1 : 0;
        }
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.mid(0, 5).join(QStringLiteral("\n\n"))));
        qInfo("random conversations: %lld renders of %lld template setups equal (%d texts, the rest errors in both)",
              static_cast<long long>(cases.size()), static_cast<long long>(subjects.size()), rendered);
    }

    // The QJsonArray API: objects in QJsonObject's (sorted) key order, as QJsonDocument writes them.
    void qjsonArrayInput()
    {
        FT_REQUIRE_SHARED();
        FT_REQUIRE_ORACLE(dir);
        const ChatTemplate qwen3 = fixtureTemplate(QStringLiteral("qwen3"));
        ChatTemplateOptions options = chatTemplateOptionsFromConfig(fixtureConfig(QStringLiteral("qwen3")));
        options.tools = QJsonDocument::fromJson(kTools).array();
        const QJsonArray messages = QJsonDocument::fromJson(kConversations[8]).array();
        const QByteArray sortedMessages = QJsonDocument(messages).toJson(QJsonDocument::Compact);
        ChatTemplateOptions asText = options;
        asText.toolsJson = QJsonDocument(options.tools).toJson(QJsonDocument::Compact);
        const auto results =
            ft::test::oracleRender(dir, {{qwen3.source(), contextJson(sortedMessages, asText), std::nullopt}}, nullptr);
        QCOMPARE(results.size(), 1);
        QVERIFY(results[0].ok);
        QCOMPARE(qwen3.render(messages, options), results[0].text);
        QVERIFY(results[0].text.contains(QStringLiteral("{\"function\": {\"description\": \"Get the weather.\"")));
    }

    void templateErrors()
    {
        try {
            ChatTemplate::parse(QStringLiteral("{% for m in messages %}\n  {{ m.content | shout }}\n{% endfor %}"),
                                QStringLiteral("model X"));
            QFAIL("no error");
        } catch (const jinja::TemplateError& e) {
            QCOMPARE(e.message(), QStringLiteral("model X: line 2, column 18: unknown filter 'shout'"));
        }
        const ft::test::KnownTemplate& llama2 = ft::test::kKnownTemplates[3];
        QCOMPARE(QString::fromUtf8(llama2.name), QStringLiteral("llama2"));
        const ChatTemplate t = ChatTemplate::parse(QString::fromUtf8(llama2.source), QStringLiteral("llama2"));
        try {
            t.render(QJsonDocument::fromJson(kConversations[13]).array(), {});
            QFAIL("no error");
        } catch (const jinja::TemplateError& e) {
            QVERIFY(e.raisedByTemplate());
            QCOMPARE(e.detail(), QStringLiteral("Conversation roles must alternate user/assistant/user/assistant/..."));
            QVERIFY2(e.message().startsWith(QStringLiteral("llama2: line 1, column ")), qPrintable(e.message()));
        }
    }

    void readTemplatesFromFolders()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const auto write = [](const QString& path, const QByteArray& bytes) {
            QDir().mkpath(QFileInfo(path).path());
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(bytes);
        };
        const QString single = root.filePath(QStringLiteral("single"));
        write(single + QStringLiteral("/tokenizer_config.json"), R"({"eos_token": "</s>", "chat_template": "{{ 1 }}"})");
        QList<NamedChatTemplate> found = readModelChatTemplates(single);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].name, QStringLiteral("default"));
        QCOMPARE(found[0].source, QStringLiteral("{{ 1 }}"));

        const QString named = root.filePath(QStringLiteral("named"));
        write(named + QStringLiteral("/tokenizer_config.json"),
              R"({"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}, {"name": "rag", "template": "R"}]})");
        found = readModelChatTemplates(named);
        QCOMPARE(found.size(), 3);
        QCOMPARE(found[0].name, QStringLiteral("default"));
        QCOMPARE(found[0].source, QStringLiteral("D"));
        QCOMPARE(findChatTemplate(found, QStringLiteral("rag"))->source, QStringLiteral("R"));
        QCOMPARE(findChatTemplate(found)->source, QStringLiteral("D"));

        const QString file = root.filePath(QStringLiteral("file"));
        write(file + QStringLiteral("/tokenizer_config.json"), R"({"chat_template": "old"})");
        write(file + QStringLiteral("/chat_template.jinja"), "{{ messages[0].content }}\n");
        write(file + QStringLiteral("/additional_chat_templates/tool_use.jinja"), "tools");
        found = readModelChatTemplates(file);
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].name, QStringLiteral("default"));
        QCOMPARE(found[0].source, QStringLiteral("{{ messages[0].content }}\n"));
        QCOMPARE(found[1].name, QStringLiteral("tool_use"));
        const ChatTemplate t = ChatTemplate::parse(found[0].source, file);
        QCOMPARE(t.render(QJsonDocument::fromJson(kConversations[0]).array(), {}), QStringLiteral("Hello!"));

        const QString none = root.filePath(QStringLiteral("none"));
        write(none + QStringLiteral("/tokenizer_config.json"), R"({"eos_token": "</s>"})");
        QVERIFY(readModelChatTemplates(none).isEmpty());
        QVERIFY(readModelChatTemplates(root.filePath(QStringLiteral("absent"))).isEmpty());

        const QString bad = root.filePath(QStringLiteral("bad"));
        write(bad + QStringLiteral("/tokenizer_config.json"), R"({"chat_template": 5})");
        QVERIFY_THROWS_EXCEPTION(ft::Error, readModelChatTemplates(bad));
        write(bad + QStringLiteral("/tokenizer_config.json"), R"({"chat_template": [{"name": "x"}]})");
        QVERIFY_THROWS_EXCEPTION(ft::Error, readModelChatTemplates(bad));
        write(bad + QStringLiteral("/tokenizer_config.json"), R"({"chat_template": )");
        QVERIFY_THROWS_EXCEPTION(ft::Error, readModelChatTemplates(bad));
    }

    void optionsFromConfig()
    {
        const ChatTemplateOptions options = chatTemplateOptionsFromConfig(
            QJsonDocument::fromJson(R"({"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>"})").object());
        QCOMPARE(options.bosToken, QStringLiteral("<s>"));
        QCOMPARE(options.eosToken, QStringLiteral("</s>"));
    }
};

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "tst_chat_template.moc"
