#include "modelio/model_folder.h"

#include <set>

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

QStringList tokenizerSideFiles()
{
    return {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer.model"),
            QStringLiteral("tokenizer_config.json"), QStringLiteral("special_tokens_map.json"),
            QStringLiteral("generation_config.json")};
}

ModelFolder ModelFolder::inspect(const QString& folder)
{
    const QFileInfo folderInfo(folder);
    if (!folderInfo.isDir())
        throw Error(QStringLiteral("%1: not a model folder (expected a folder with config.json and model.safetensors)")
                        .arg(folder));
    ModelFolder model;
    model.path = folderInfo.absoluteFilePath();
    const QDir dir(model.path);
    model.files = dir.entryList(QDir::Files, QDir::Name);

    const QString configPath = dir.filePath(QStringLiteral("config.json"));
    if (!QFileInfo::exists(configPath))
        throw Error(QStringLiteral("%1: no config.json in this model folder").arg(folder));
    model.config = ModelConfig::fromFile(configPath);

    const QString single = dir.filePath(QStringLiteral("model.safetensors"));
    const QString indexPath = dir.filePath(QStringLiteral("model.safetensors.index.json"));
    if (QFileInfo::exists(indexPath)) {
        model.sharded = true;
        const QJsonObject index = readJsonObjectFile(indexPath, 64 * 1024 * 1024);
        const QJsonValue mapValue = index.value(QStringLiteral("weight_map"));
        if (!mapValue.isObject())
            throw Error(QStringLiteral("%1: expected an object \"weight_map\" of tensor name to file").arg(indexPath));
        const QJsonObject weightMap = mapValue.toObject();
        std::set<QString> shardNames;
        for (auto it = weightMap.begin(); it != weightMap.end(); ++it) {
            const QString file = it->toString();
            // A shard must be a plain file name inside this folder: no paths, no escaping the folder.
            if (!it->isString() || file.isEmpty() || file.contains(QLatin1Char('/')) ||
                file.contains(QLatin1Char('\\')) || file.startsWith(QLatin1Char('.')))
                throw Error(QStringLiteral("%1: tensor \"%2\" maps to \"%3\", expected a file name in this folder")
                                .arg(indexPath, it.key(), file));
            model.weightMap[it.key()] = dir.filePath(file);
            shardNames.insert(file);
        }
        for (const QString& name : shardNames) {
            const QString shard = dir.filePath(name);
            if (!QFileInfo::exists(shard))
                throw Error(QStringLiteral("%1: shard %2 is listed but missing").arg(indexPath, name));
            model.weightFiles << shard;
            model.weightBytes += QFileInfo(shard).size();
        }
    } else if (QFileInfo::exists(single)) {
        model.weightFiles << single;
        model.weightBytes = QFileInfo(single).size();
    } else if (QFileInfo::exists(dir.filePath(QStringLiteral("pytorch_model.bin")))) {
        throw Error(QStringLiteral("%1: only pytorch_model.bin (a pickle file) is here; FineTune Studio loads "
                                   "safetensors only, never pickle. Convert it to model.safetensors first.")
                        .arg(folder));
    } else {
        throw Error(
            QStringLiteral("%1: no model.safetensors or model.safetensors.index.json in this folder").arg(folder));
    }

    // The file Tokenizer::fromModelFolder reads: tokenizer.json when there is one, else tokenizer.model.
    for (const QString& name : {QStringLiteral("tokenizer.json"), QStringLiteral("tokenizer.model")}) {
        if (QFileInfo::exists(dir.filePath(name))) {
            model.tokenizerPath = dir.filePath(name);
            break;
        }
    }
    return model;
}

} // namespace ft
