#include "modelio/model_identity.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "common/error.h"
#include "modelio/model_folder.h"

namespace ft {

namespace {

constexpr qint64 kWindow = 1024 * 1024;
constexpr int kWindows = 16;

void addSmallFile(QCryptographicHash& hash, const QString& path)
{
    QFile file(path);
    hash.addData(QFileInfo(path).fileName().toUtf8());
    hash.addData(QByteArray(1, '\0'));
    if (!file.open(QIODevice::ReadOnly))
        return; // absent: only its name is hashed, which is different from any content
    hash.addData(&file);
}

void addWeightFile(QCryptographicHash& hash, const QString& path, bool whole)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot read (%2)").arg(path, file.errorString()));
    const qint64 size = file.size();
    hash.addData(QFileInfo(path).fileName().toUtf8());
    hash.addData(QByteArray::number(size));
    if (whole || size <= kWindows * kWindow) {
        hash.addData(&file);
        return;
    }
    for (int i = 0; i < kWindows; ++i) {
        const qint64 offset = (size - kWindow) * i / (kWindows - 1);
        file.seek(offset);
        hash.addData(file.read(kWindow));
    }
}

} // namespace

QString modelIdentity(const QString& path, qint64 fullHashLimit)
{
    const QFileInfo info(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayLiteral("ftstudio-model-identity-v1\n"));
    if (info.isDir()) {
        const ModelFolder folder = ModelFolder::inspect(path);
        const QDir dir(folder.path);
        addSmallFile(hash, dir.filePath(QStringLiteral("config.json")));
        if (folder.sharded)
            addSmallFile(hash, dir.filePath(QStringLiteral("model.safetensors.index.json")));
        addSmallFile(hash, dir.filePath(QStringLiteral("tokenizer.model")));
        const bool whole = folder.weightBytes <= fullHashLimit;
        for (const QString& weights : folder.weightFiles)
            addWeightFile(hash, weights, whole);
    } else if (info.isFile()) {
        addWeightFile(hash, info.absoluteFilePath(), info.size() <= fullHashLimit);
    } else {
        throw Error(QStringLiteral("%1: no such model folder or file").arg(path));
    }
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace ft
