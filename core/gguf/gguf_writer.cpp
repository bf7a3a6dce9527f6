#include "gguf/gguf_writer.h"

#include <set>

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include "common/atomic_write.h"
#include "common/error.h"

namespace ft {

namespace {

struct Cancelled {};

uint64_t alignUp(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

void putLe(QByteArray& out, uint64_t bits, int bytes)
{
    char buffer[8];
    for (int i = 0; i < bytes; ++i)
        buffer[i] = static_cast<char>(bits >> (8 * i));
    out.append(buffer, bytes);
}

GgufMetadata withAlignment(const GgufMetadata& metadata, uint32_t alignment)
{
    GgufMetadata copy = metadata;
    if (alignment != kGgufDefaultAlignment)
        copy.set(QByteArrayLiteral("general.alignment"), GgufValue::uint32(alignment));
    return copy;
}

void checkTensor(const GgufTensorSource& tensor)
{
    const QByteArray name = tensor.name.toUtf8();
    if (name.isEmpty() || name.size() > kGgmlMaxNameBytes)
        throw Error(QStringLiteral("tensor name \"%1\" must have 1 to %2 bytes").arg(tensor.name).arg(kGgmlMaxNameBytes));
    if (tensor.shape.empty() || tensor.shape.size() > static_cast<size_t>(kGgmlMaxDims))
        throw Error(QStringLiteral("tensor %1: %2 dimensions (GGUF takes 1 to %3)")
                        .arg(tensor.name)
                        .arg(tensor.shape.size())
                        .arg(kGgmlMaxDims));
    for (int64_t d : tensor.shape)
        if (d <= 0)
            throw Error(QStringLiteral("tensor %1: dimension %2 is not positive").arg(tensor.name).arg(d));
    if (!ggmlRowFits(tensor.type, tensor.shape.back()))
        throw Error(QStringLiteral("tensor %1: rows of %2 elements are not a whole number of %3 blocks of %4")
                        .arg(tensor.name)
                        .arg(tensor.shape.back())
                        .arg(ggmlTypeName(tensor.type))
                        .arg(ggmlBlockSize(tensor.type)));
}

// Magic, version, counts, metadata and tensor infos.
QByteArray headerBytes(const GgufMetadata& metadata, const std::vector<GgufTensorSource>& tensors,
                       const std::vector<uint64_t>& offsets)
{
    QByteArray out;
    putLe(out, kGgufMagic, 4);
    putLe(out, kGgufVersion, 4);
    putLe(out, tensors.size(), 8);
    putLe(out, metadata.size(), 8);
    for (const auto& [key, value] : metadata.entries()) {
        putLe(out, static_cast<uint64_t>(key.size()), 8);
        out.append(key);
        value.serialize(out);
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
        const GgufTensorSource& tensor = tensors[i];
        const QByteArray name = tensor.name.toUtf8();
        putLe(out, static_cast<uint64_t>(name.size()), 8);
        out.append(name);
        putLe(out, static_cast<uint32_t>(tensor.shape.size()), 4);
        for (auto it = tensor.shape.rbegin(); it != tensor.shape.rend(); ++it) // ggml's ne: innermost first
            putLe(out, static_cast<uint64_t>(*it), 8);
        putLe(out, static_cast<uint32_t>(tensor.type), 4);
        putLe(out, offsets.empty() ? 0 : offsets[i], 8);
    }
    return out;
}

GgufLayout layoutOf(const GgufMetadata& metadata, const std::vector<GgufTensorSource>& tensors, uint32_t alignment,
                    QByteArray* header)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        throw Error(QStringLiteral("GGUF alignment %1 is not a power of two").arg(alignment));
    std::set<QString> names;
    for (const auto& [key, value] : metadata.entries())
        if (key.isEmpty())
            throw Error(QStringLiteral("a GGUF metadata key is empty"));
    GgufLayout layout;
    uint64_t offset = 0;
    for (const GgufTensorSource& tensor : tensors) {
        checkTensor(tensor);
        if (!names.insert(tensor.name).second)
            throw Error(QStringLiteral("tensor %1 is listed twice").arg(tensor.name));
        layout.offsets.push_back(offset);
        offset = alignUp(offset + ggmlTensorBytes(tensor.type, tensor.shape), alignment);
    }
    const QByteArray bytes = headerBytes(metadata, tensors, layout.offsets);
    layout.headerBytes = static_cast<uint64_t>(bytes.size());
    layout.dataOffset = alignUp(layout.headerBytes, alignment);
    // The last tensor is padded too, as ggml's writer does.
    layout.fileBytes = layout.dataOffset + offset;
    if (header)
        *header = bytes;
    return layout;
}

} // namespace

GgufLayout planGguf(const GgufMetadata& metadata, const std::vector<GgufTensorSource>& tensors, uint32_t alignment)
{
    return layoutOf(withAlignment(metadata, alignment), tensors, alignment, nullptr);
}

bool writeGguf(const QString& path, const GgufMetadata& metadata, const std::vector<GgufTensorSource>& tensors,
               const ProgressCallback& progress, uint32_t alignment)
{
    QByteArray header;
    const GgufLayout layout = layoutOf(withAlignment(metadata, alignment), tensors, alignment, &header);

    const QFileInfo target(path);
    if (!target.absoluteDir().exists())
        throw Error(QStringLiteral("%1: cannot write: the folder %2 does not exist").arg(path, target.absolutePath()));
    if (target.isDir())
        throw Error(QStringLiteral("%1: cannot write: a folder has that name").arg(path));
    QSaveFile file(path); // a temporary file beside `path`, renamed over it by commit(), removed otherwise
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));

    uint64_t written = 0;
    auto put = [&](const char* data, int64_t size) {
        if (size > 0)
            writeAllOrThrow(file, data, size, path);
        written += static_cast<uint64_t>(size);
    };
    auto padTo = [&](uint64_t position) {
        static const char zeros[64] = {};
        while (written < position)
            put(zeros, static_cast<int64_t>(std::min<uint64_t>(sizeof zeros, position - written)));
    };
    auto report = [&] {
        if (!reportProgress(progress, static_cast<int64_t>(written), static_cast<int64_t>(layout.fileBytes)))
            throw Cancelled{};
    };

    try {
        put(header.constData(), header.size());
        header = QByteArray();
        padTo(layout.dataOffset);
        report();
        for (size_t i = 0; i < tensors.size(); ++i) {
            const GgufTensorSource& tensor = tensors[i];
            const uint64_t begin = layout.dataOffset + layout.offsets[i];
            const uint64_t expected = ggmlTensorBytes(tensor.type, tensor.shape);
            if (written != begin)
                throw Error(QStringLiteral("%1: internal error: tensor %2 would start at %3, not %4")
                                .arg(path, tensor.name)
                                .arg(written)
                                .arg(begin));
            if (!tensor.produce)
                throw Error(QStringLiteral("%1: tensor %2 has no data").arg(path, tensor.name));
            tensor.produce([&](const char* data, int64_t size) {
                if (size < 0 || written - begin + static_cast<uint64_t>(size) > expected)
                    throw Error(QStringLiteral("%1: tensor %2 produced more than its %3 bytes")
                                    .arg(path, tensor.name)
                                    .arg(expected));
                put(data, size);
                report();
            });
            if (written - begin != expected)
                throw Error(QStringLiteral("%1: tensor %2 produced %3 bytes, expected %4")
                                .arg(path, tensor.name)
                                .arg(written - begin)
                                .arg(expected));
            padTo(alignUp(written - layout.dataOffset, alignment) + layout.dataOffset);
        }
        report();
    } catch (const Cancelled&) {
        file.cancelWriting();
        return false;
    } catch (...) {
        file.cancelWriting();
        throw;
    }
    if (!file.commit())
        throw Error(QStringLiteral("%1: cannot finish writing: %2").arg(path, file.errorString()));
    return true;
}

} // namespace ft
