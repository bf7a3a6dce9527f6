#include "gguf/gguf_reader.h"

#include <set>

#include <QFile>

#include "common/error.h"

namespace ft {

namespace {

constexpr uint64_t kMaxStringBytes = 256ull * 1024 * 1024;

class Cursor {
public:
    Cursor(const QString& path, const uchar* data, uint64_t size)
        : m_path(path)
        , m_data(data)
        , m_size(size)
    {
    }

    uint64_t position() const { return m_pos; }
    uint64_t remaining() const { return m_size - m_pos; }

    uint64_t read(int bytes, const char* what)
    {
        need(static_cast<uint64_t>(bytes), what);
        uint64_t value = 0;
        for (int i = 0; i < bytes; ++i)
            value |= static_cast<uint64_t>(m_data[m_pos + static_cast<uint64_t>(i)]) << (8 * i);
        m_pos += static_cast<uint64_t>(bytes);
        return value;
    }

    QByteArray readString(const char* what)
    {
        const uint64_t length = read(8, what);
        if (length > kMaxStringBytes)
            fail(QStringLiteral("%1 claims %2 bytes").arg(QLatin1String(what)).arg(length));
        need(length, what);
        QByteArray s(reinterpret_cast<const char*>(m_data + m_pos), static_cast<qsizetype>(length));
        m_pos += length;
        return s;
    }

    [[noreturn]] void fail(const QString& message) const
    {
        throw Error(QStringLiteral("%1: not a valid GGUF file: %2 (at byte %3)").arg(m_path, message).arg(m_pos));
    }

    void need(uint64_t bytes, const char* what) const
    {
        if (bytes > remaining())
            fail(QStringLiteral("%1 runs past the end of the file").arg(QLatin1String(what)));
    }

private:
    QString m_path;
    const uchar* m_data;
    uint64_t m_size;
    uint64_t m_pos = 0;
};

GgufValue readValue(Cursor& cursor, uint32_t typeId, const QString& key)
{
    if (!isKnownGgufValueType(typeId))
        cursor.fail(QStringLiteral("metadata %1 has unknown value type %2").arg(key).arg(typeId));
    GgufValueType type = static_cast<GgufValueType>(typeId);
    bool array = false;
    uint64_t count = 1;
    if (type == GgufValueType::Array) {
        const uint32_t elementId = static_cast<uint32_t>(cursor.read(4, "array element type"));
        if (!isKnownGgufValueType(elementId) || elementId == static_cast<uint32_t>(GgufValueType::Array))
            cursor.fail(QStringLiteral("metadata %1 has unsupported array element type %2").arg(key).arg(elementId));
        type = static_cast<GgufValueType>(elementId);
        array = true;
        count = cursor.read(8, "array length");
        // Every element takes at least one byte (a string at least its 8-byte length).
        const uint64_t minimum = type == GgufValueType::String ? 8 : static_cast<uint64_t>(ggufValueTypeSize(type));
        if (count > cursor.remaining() / minimum)
            cursor.fail(QStringLiteral("metadata %1 claims %2 elements, more than the file holds").arg(key).arg(count));
    }
    std::vector<uint64_t> bits;
    QList<QByteArray> strings;
    if (type == GgufValueType::String) {
        strings.reserve(static_cast<qsizetype>(count));
        for (uint64_t i = 0; i < count; ++i)
            strings.append(cursor.readString("string value"));
    } else {
        const int width = ggufValueTypeSize(type);
        bits.reserve(count);
        for (uint64_t i = 0; i < count; ++i) {
            const uint64_t v = cursor.read(width, "metadata value");
            if (type == GgufValueType::Bool && v > 1)
                cursor.fail(QStringLiteral("metadata %1 has a bool that is neither 0 nor 1").arg(key));
            bits.push_back(v);
        }
    }
    return GgufValue::fromParts(type, array, std::move(bits), std::move(strings));
}

} // namespace

const GgufTensorInfo* GgufFileInfo::findTensor(const QString& name) const
{
    for (const GgufTensorInfo& tensor : tensors)
        if (tensor.name == name)
            return &tensor;
    return nullptr;
}

GgufFileInfo readGgufFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    GgufFileInfo info;
    info.path = path;
    info.fileBytes = static_cast<uint64_t>(file.size());
    if (info.fileBytes < 24)
        throw Error(QStringLiteral("%1: not a GGUF file (only %2 bytes)").arg(path).arg(info.fileBytes));
    const uchar* data = file.map(0, file.size());
    if (!data)
        throw Error(QStringLiteral("%1: cannot map: %2").arg(path, file.errorString()));
    Cursor cursor(path, data, info.fileBytes);

    if (cursor.read(4, "magic") != kGgufMagic)
        cursor.fail(QStringLiteral("the magic is not \"GGUF\""));
    info.version = static_cast<uint32_t>(cursor.read(4, "version"));
    if (info.version != 2 && info.version != 3)
        cursor.fail(QStringLiteral("version %1 is not supported (expected 3)").arg(info.version));
    const uint64_t tensorCount = cursor.read(8, "tensor count");
    const uint64_t kvCount = cursor.read(8, "metadata count");
    // A metadata entry takes at least 8 + 4 + 1 bytes, a tensor info at least 8 + 4 + 8 + 4 + 8.
    if (kvCount > cursor.remaining() / 13 || tensorCount > cursor.remaining() / 32)
        cursor.fail(QStringLiteral("%1 metadata entries and %2 tensors cannot fit in the file").arg(kvCount).arg(tensorCount));

    std::set<QByteArray> keys;
    for (uint64_t i = 0; i < kvCount; ++i) {
        const QByteArray key = cursor.readString("metadata key");
        if (key.isEmpty() || !keys.insert(key).second)
            cursor.fail(QStringLiteral("metadata key \"%1\" is empty or repeated").arg(QString::fromUtf8(key)));
        const uint32_t typeId = static_cast<uint32_t>(cursor.read(4, "value type"));
        info.metadata.set(key, readValue(cursor, typeId, QString::fromUtf8(key)));
    }
    if (const GgufValue* alignment = info.metadata.find(QByteArrayLiteral("general.alignment"))) {
        if (alignment->type() != GgufValueType::UInt32 || alignment->toUInt() == 0 ||
            (alignment->toUInt() & (alignment->toUInt() - 1)) != 0)
            cursor.fail(QStringLiteral("general.alignment must be a uint32 power of two"));
        info.alignment = static_cast<uint32_t>(alignment->toUInt());
    }

    std::set<QString> names;
    for (uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo tensor;
        const QByteArray name = cursor.readString("tensor name");
        tensor.name = QString::fromUtf8(name);
        if (name.isEmpty() || name.size() > kGgmlMaxNameBytes || !names.insert(tensor.name).second)
            cursor.fail(QStringLiteral("tensor name \"%1\" is empty, too long or repeated").arg(tensor.name));
        const uint32_t nDims = static_cast<uint32_t>(cursor.read(4, "tensor dimension count"));
        if (nDims == 0 || nDims > static_cast<uint32_t>(kGgmlMaxDims))
            cursor.fail(QStringLiteral("tensor %1 has %2 dimensions").arg(tensor.name).arg(nDims));
        uint64_t elements = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            const uint64_t dim = cursor.read(8, "tensor dimension");
            if (dim == 0 || dim > (1ull << 40) || elements > (1ull << 50) / dim)
                cursor.fail(QStringLiteral("tensor %1 has an impossible dimension %2").arg(tensor.name).arg(dim));
            elements *= dim;
            tensor.dims.push_back(static_cast<int64_t>(dim));
        }
        const uint32_t typeId = static_cast<uint32_t>(cursor.read(4, "tensor type"));
        const std::optional<GgmlType> type = ggmlTypeFromId(typeId);
        if (!type)
            cursor.fail(QStringLiteral("tensor %1 has ggml type %2, which this reader does not know").arg(tensor.name).arg(typeId));
        tensor.type = *type;
        tensor.offset = cursor.read(8, "tensor offset");
        tensor.bytes = ggmlTensorBytes(tensor.type, tensor.shape());
        if (tensor.bytes == 0)
            cursor.fail(QStringLiteral("tensor %1: rows of %2 do not fit type %3").arg(tensor.name).arg(tensor.dims[0]).arg(ggmlTypeName(tensor.type)));
        info.tensors.push_back(std::move(tensor));
    }
    info.dataOffset = (cursor.position() + info.alignment - 1) / info.alignment * info.alignment;
    for (const GgufTensorInfo& tensor : info.tensors) {
        if (tensor.offset % info.alignment != 0)
            cursor.fail(QStringLiteral("tensor %1's offset %2 is not aligned to %3").arg(tensor.name).arg(tensor.offset).arg(info.alignment));
        if (info.dataOffset > info.fileBytes || tensor.offset > info.fileBytes - info.dataOffset ||
            tensor.bytes > info.fileBytes - info.dataOffset - tensor.offset)
            cursor.fail(QStringLiteral("tensor %1's data runs past the end of the file").arg(tensor.name));
    }
    return info;
}

QByteArray readGgufTensorBytes(const GgufFileInfo& info, const GgufTensorInfo& tensor)
{
    QFile file(info.path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(static_cast<qint64>(info.dataOffset + tensor.offset)))
        throw Error(QStringLiteral("%1: cannot read tensor %2: %3").arg(info.path, tensor.name, file.errorString()));
    const QByteArray bytes = file.read(static_cast<qint64>(tensor.bytes));
    if (static_cast<uint64_t>(bytes.size()) != tensor.bytes)
        throw Error(QStringLiteral("%1: tensor %2 is cut short").arg(info.path, tensor.name));
    return bytes;
}

} // namespace ft
