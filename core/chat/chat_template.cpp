#include "chat/chat_template.h"

#include "chat/jinja_json.h"
#include "common/error.h"
#include "common/json_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace ft {

namespace {

QString tokenText(const QJsonValue& value)
{
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return value.toObject().value(QStringLiteral("content")).toString();
    return {};
}

QString readText(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    if (file.size() > 16 * 1024 * 1024)
        throw Error(QStringLiteral("%1: a chat template larger than 16 MiB").arg(path));
    return QString::fromUtf8(file.readAll());
}

void put(QList<NamedChatTemplate>& templates, const QString& name, const QString& source)
{
    for (NamedChatTemplate& t : templates) {
        if (t.name == name) {
            t.source = source;
            return;
        }
    }
    templates.append({name, source});
}

// tokenizer_config.json / chat_template.json: "chat_template" as a string or a list of {name, template}.
void readConfigTemplates(const QString& path, QList<NamedChatTemplate>& templates)
{
    if (!QFileInfo::exists(path))
        return;
    const QJsonObject config = readJsonObjectFile(path);
    const QJsonValue value = config.value(QStringLiteral("chat_template"));
    if (value.isUndefined() || value.isNull())
        return;
    if (value.isString()) {
        put(templates, QStringLiteral("default"), value.toString());
        return;
    }
    if (!value.isArray())
        throw Error(QStringLiteral("%1: \"chat_template\" must be a string or a list of {\"name\", \"template\"}").arg(path));
    const QJsonArray list = value.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject entry = list.at(i).toObject();
        const QJsonValue name = entry.value(QStringLiteral("name")), source = entry.value(QStringLiteral("template"));
        if (!name.isString() || !source.isString())
            throw Error(QStringLiteral("%1: \"chat_template\" entry %2 needs a string \"name\" and \"template\"")
                            .arg(path)
                            .arg(i));
        put(templates, name.toString(), source.toString());
    }
}

} // namespace

ChatTemplateOptions chatTemplateOptionsFromConfig(const QJsonObject& tokenizerConfig)
{
    ChatTemplateOptions options;
    options.bosToken = tokenText(tokenizerConfig.value(QStringLiteral("bos_token")));
    options.eosToken = tokenText(tokenizerConfig.value(QStringLiteral("eos_token")));
    return options;
}

ChatTemplate ChatTemplate::parse(const QString& source, const QString& origin)
{
    ChatTemplate t;
    t.template_ = jinja::Template::parse(source, origin);
    return t;
}

QString ChatTemplate::render(const QJsonArray& messages, const ChatTemplateOptions& options) const
{
    return render(jinja::Value::fromJson(messages), options);
}

QString ChatTemplate::render(const jinja::Value& messages, const ChatTemplateOptions& options) const
{
    using jinja::Value;
    Value context = Value::dict();
    jinja::Dict& variables = context.entries();
    variables.set(QStringLiteral("messages"), messages);
    variables.set(QStringLiteral("add_generation_prompt"), Value::boolean(options.addGenerationPrompt));
    variables.set(QStringLiteral("bos_token"), Value::string(options.bosToken));
    variables.set(QStringLiteral("eos_token"), Value::string(options.eosToken));
    if (!options.toolsJson.trimmed().isEmpty())
        variables.set(QStringLiteral("tools"), jinja::parseJson(options.toolsJson, QStringLiteral("the tools")));
    else if (!options.tools.isEmpty())
        variables.set(QStringLiteral("tools"), Value::fromJson(options.tools));
    for (auto it = options.extra.begin(); it != options.extra.end(); ++it)
        variables.set(it.key(), Value::fromJson(it.value()));
    return template_.render(context, options.now);
}

QList<NamedChatTemplate> readModelChatTemplates(const QString& modelFolder)
{
    const QDir dir(modelFolder);
    QList<NamedChatTemplate> templates;
    readConfigTemplates(dir.filePath(QStringLiteral("tokenizer_config.json")), templates);
    readConfigTemplates(dir.filePath(QStringLiteral("chat_template.json")), templates);
    const QString jinjaFile = dir.filePath(QStringLiteral("chat_template.jinja"));
    if (QFileInfo::exists(jinjaFile))
        put(templates, QStringLiteral("default"), readText(jinjaFile));
    const QDir additional(dir.filePath(QStringLiteral("additional_chat_templates")));
    if (additional.exists())
        for (const QFileInfo& file : additional.entryInfoList({QStringLiteral("*.jinja")}, QDir::Files, QDir::Name))
            put(templates, file.completeBaseName(), readText(file.filePath()));
    for (qsizetype i = 0; i < templates.size(); ++i)
        if (templates[i].name == QLatin1String("default"))
            templates.move(i, 0);
    return templates;
}

const NamedChatTemplate* findChatTemplate(const QList<NamedChatTemplate>& templates, const QString& name)
{
    for (const NamedChatTemplate& t : templates)
        if (t.name == name)
            return &t;
    return templates.isEmpty() ? nullptr : &templates.first();
}

} // namespace ft
