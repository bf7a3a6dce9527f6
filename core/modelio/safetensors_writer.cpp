#include "modelio/safetensors_writer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include "common/atomic_write.h"
#include "common/error.h"

namespace ft {

void writeSafetensors(const QString& path, const std::vector<SafetensorsOutput>& tensors,
                      const std::map<QString, QString>& metadata)
{
    QJsonObject header;
    uint64_t offset = 0;
    std::vector<uint64_t> sizes;
    for (const SafetensorsOutput& tensor : tensors) {
        uint64_t count = 1;
        QJsonArray shape;
        for (int64_t d : tensor.shape) {
            count *= static_cast<uint64_t>(d);
            shape.append(static_cast<qint64>(d));
        }
        const uint64_t size = count * static_cast<uint64_t>(tensorDtypeSize(tensor.dtype));
        if (header.contains(tensor.name))
            throw Error(QStringLiteral("%1: tensor \"%2\" written twice").arg(path, tensor.name));
        header[tensor.name] =
            QJsonObject{{QStringLiteral("dtype"), tensorDtypeName(tensor.dtype)},
                        {QStringLiteral("shape"), shape},
                        {QStringLiteral("data_offsets"),
                         QJsonArray{static_cast<qint64>(offset), static_cast<qint64>(offset + size)}}};
        sizes.push_back(size);
        offset += size;
    }
    if (!metadata.empty()) {
        QJsonObject meta;
        for (const auto& [key, value] : metadata)
            meta[key] = value;
        header[QStringLiteral("__metadata__")] = meta;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while ((8 + json.size()) % 8 != 0)
        json.append(' ');

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    auto put = [&](const char* data, qint64 size) {
        writeAllOrThrow(file, data, size, path);
    };
    uint8_t length[8];
    const uint64_t headerSize = static_cast<uint64_t>(json.size());
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<uint8_t>(headerSize >> (8 * i));
    put(reinterpret_cast<const char*>(length), 8);
    put(json.constData(), json.size());
    for (size_t i = 0; i < tensors.size(); ++i) {
        const QByteArray bytes = tensors[i].bytes();
        if (static_cast<uint64_t>(bytes.size()) != sizes[i])
            throw Error(QStringLiteral("%1: tensor \"%2\" produced %3 bytes, expected %4")
                            .arg(path, tensors[i].name)
                            .arg(bytes.size())
                            .arg(sizes[i]));
        put(bytes.constData(), bytes.size());
    }
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot finish writing: %2").arg(path, file.errorString()));
}

} // namespace ft
