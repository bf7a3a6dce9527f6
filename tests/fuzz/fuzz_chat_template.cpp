// A chat template (Jinja): parsed, then rendered for a conversation with a system prompt, two
// exchanges and a tool, with and without the generation prompt.
#include <QJsonArray>
#include <QJsonObject>

#include "chat/chat_template.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ft::fuzz::refusalsAreFine([&] {
        const ft::ChatTemplate chat =
            ft::ChatTemplate::parse(QString::fromUtf8(ft::fuzz::bytes(data, size)), QStringLiteral("fuzz.jinja"));
        const auto message = [](const char* role, const char* content) {
            return QJsonObject{{QStringLiteral("role"), QLatin1String(role)},
                               {QStringLiteral("content"), QLatin1String(content)}};
        };
        const QJsonArray messages{message("system", "Be brief."), message("user", "Hi"),
                                  message("assistant", "Hello."), message("user", "2+2?"),
                                  message("assistant", "4")};
        ft::ChatTemplateOptions options;
        options.bosToken = QStringLiteral("<s>");
        options.eosToken = QStringLiteral("</s>");
        options.now = QDateTime(QDate(2026, 12, 6), QTime(12, 0), Qt::UTC);
        (void)chat.render(messages, options);
        options.addGenerationPrompt = true;
        options.tools = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("function")},
                                               {QStringLiteral("function"),
                                                QJsonObject{{QStringLiteral("name"), QStringLiteral("time")}}}}};
        (void)chat.render(messages, options);
    });
    return 0;
}
