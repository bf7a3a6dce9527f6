#include "modelio/tokenizer_config_files.h"

#include <QFileInfo>
#include <QJsonArray>

#include "modelio/tokenizer_json_node.h"

namespace ft {

namespace {

constexpr qint64 kMaxConfigBytes = 16 * 1024 * 1024;
constexpr qint64 kMaxId = (1ll << 31) - 1;

std::vector<int64_t> idList(const JsonNode& node)
{
    std::vector<int64_t> ids;
    if (node.isNull())
        return ids;
    if (node.value().isArray()) {
        for (qsizetype i = 0; i < node.array().size(); ++i)
            ids.push_back(node.at(i).integer(0, kMaxId));
    } else {
        ids.push_back(node.integer(0, kMaxId));
    }
    return ids;
}

QString textOf(const QJsonObject& json, const QString& key)
{
    const QJsonValue value = json.value(key);
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return value.toObject().value(QStringLiteral("content")).toString();
    return {};
}

} // namespace

TokenizerConfigFiles TokenizerConfigFiles::read(const QDir& folder)
{
    TokenizerConfigFiles files;
    const QString tokenizerConfig = folder.filePath(QStringLiteral("tokenizer_config.json"));
    const QString specialTokens = folder.filePath(QStringLiteral("special_tokens_map.json"));
    const QString generationConfig = folder.filePath(QStringLiteral("generation_config.json"));
    if (QFileInfo::exists(tokenizerConfig))
        files.tokenizerConfig = readTokenizerJsonObject(tokenizerConfig, kMaxConfigBytes);
    if (QFileInfo::exists(specialTokens))
        files.specialTokensMap = readTokenizerJsonObject(specialTokens, kMaxConfigBytes);
    if (QFileInfo::exists(generationConfig)) {
        const JsonNode root(readTokenizerJsonObject(generationConfig, kMaxConfigBytes), generationConfig, QString());
        files.generationEosIds = idList(root[QStringLiteral("eos_token_id")]);
        const std::vector<int64_t> bos = idList(root[QStringLiteral("bos_token_id")]);
        const std::vector<int64_t> pad = idList(root[QStringLiteral("pad_token_id")]);
        files.generationBosId = bos.empty() ? -1 : bos.front();
        files.generationPadId = pad.empty() ? -1 : pad.front();
    }
    return files;
}

QStringList TokenizerConfigFiles::tokenTexts(const QString& key) const
{
    QStringList texts;
    for (const QJsonObject* source : {&tokenizerConfig, &specialTokensMap}) {
        const QString text = textOf(*source, key);
        if (!text.isEmpty())
            texts << text;
    }
    return texts;
}

std::optional<bool> TokenizerConfigFiles::flag(const QString& key) const
{
    const QJsonValue value = tokenizerConfig.value(key);
    if (value.isBool())
        return value.toBool();
    return std::nullopt;
}

} // namespace ft
