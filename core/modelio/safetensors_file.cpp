#include "modelio/safetensors_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

int64_t SafetensorsEntry::elementCount() const
{
    int64_t count = 1;
    for (int64_t d : shape)
        count *= d;
    return count;
}

QString SafetensorsEntry::shapeText() const
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

namespace {

uint64_t readOffset(const QJsonValue& value, const QString& where)
{
    const double number = value.toDouble(-1.0);
    // The range first: converting a double beyond uint64 is undefined (found by fuzz_safetensors_header).
    if (!value.isDouble() || !(number >= 0 && number <= 9.0e15) || number != std::floor(number))
        throw Error(QStringLiteral("%1: data_offsets must be two non-negative integers").arg(where));
    return static_cast<uint64_t>(number);
}

SafetensorsEntry parseEntry(const QString& name, const QJsonValue& value, uint64_t dataSize, const QString& origin)
{
    const QString where = QStringLiteral("%1: tensor \"%2\"").arg(origin, name);
    if (!value.isObject())
        throw Error(QStringLiteral("%1: expected an object with dtype, shape and data_offsets").arg(where));
    const QJsonObject object = value.toObject();

    SafetensorsEntry entry;
    entry.name = name;
    const QString dtypeName = object.value(QStringLiteral("dtype")).toString();
    const auto dtype = tensorDtypeFromName(dtypeName);
    if (!dtype)
        throw Error(
            QStringLiteral("%1: unknown dtype \"%2\" (expected F32, F16, BF16, F64, I64, I32, I16, I8, U8 or BOOL)")
                .arg(where, dtypeName));
    entry.dtype = *dtype;

    const QJsonValue shapeValue = object.value(QStringLiteral("shape"));
    if (!shapeValue.isArray())
        throw Error(QStringLiteral("%1: shape must be an array of integers").arg(where));
    const QJsonArray shape = shapeValue.toArray();
    if (shape.size() > 8)
        throw Error(QStringLiteral("%1: %2 dimensions (at most 8 expected)").arg(where).arg(shape.size()));
    // Element count is bounded by the data size, so no product of dimensions can overflow unnoticed.
    uint64_t elements = 1;
    for (const QJsonValue& dim : shape) {
        const double d = dim.toDouble(-1.0);
        // The range first: converting a double beyond int64 is undefined (found by fuzz_safetensors_header).
        if (!dim.isDouble() || !(d >= 0 && d <= 9.0e15) || d != std::floor(d))
            throw Error(QStringLiteral("%1: shape must be an array of non-negative integers").arg(where));
        entry.shape.push_back(static_cast<int64_t>(d));
        if (d != 0 && elements > dataSize / static_cast<uint64_t>(d) + 1)
            throw Error(QStringLiteral("%1: shape %2 is larger than the whole file").arg(where, entry.shapeText()));
        elements *= static_cast<uint64_t>(d);
    }

    const QJsonValue offsetsValue = object.value(QStringLiteral("data_offsets"));
    const QJsonArray offsets = offsetsValue.toArray();
    if (!offsetsValue.isArray() || offsets.size() != 2)
        throw Error(QStringLiteral("%1: data_offsets must be [begin, end]").arg(where));
    entry.begin = readOffset(offsets[0], where);
    entry.end = readOffset(offsets[1], where);
    if (entry.begin > entry.end || entry.end > dataSize)
        throw Error(QStringLiteral("%1: data_offsets [%2, %3] lie outside the %4 bytes of tensor data")
                        .arg(where)
                        .arg(entry.begin)
                        .arg(entry.end)
                        .arg(dataSize));
    const uint64_t expected = elements * static_cast<uint64_t>(tensorDtypeSize(entry.dtype));
    if (entry.end - entry.begin != expected)
        throw Error(QStringLiteral("%1: shape %2 of %3 needs %4 bytes but data_offsets span %5")
                        .arg(where, entry.shapeText(), dtypeName)
                        .arg(expected)
                        .arg(entry.end - entry.begin));
    return entry;
}

} // namespace

std::vector<SafetensorsEntry> parseSafetensorsHeader(const QByteArray& json, uint64_t dataSize, const QString& origin,
                                                     std::map<QString, QString>* metadata)
{
    const QJsonObject root = parseJsonObject(json, origin + QStringLiteral(" (safetensors header)"));
    std::vector<SafetensorsEntry> entries;
    entries.reserve(static_cast<size_t>(root.size()));
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == QLatin1String("__metadata__")) {
            if (metadata && it->isObject()) {
                const QJsonObject meta = it->toObject();
                for (auto m = meta.begin(); m != meta.end(); ++m)
                    (*metadata)[m.key()] = m->toString();
            }
            continue;
        }
        entries.push_back(parseEntry(it.key(), it.value(), dataSize, origin));
    }

    // No two tensors may share bytes: a crafted file could otherwise alias one tensor onto another.
    std::vector<const SafetensorsEntry*> byOffset;
    for (const auto& entry : entries)
        if (entry.end > entry.begin)
            byOffset.push_back(&entry);
    std::sort(byOffset.begin(), byOffset.end(),
              [](const SafetensorsEntry* a, const SafetensorsEntry* b) { return a->begin < b->begin; });
    for (size_t i = 1; i < byOffset.size(); ++i) {
        if (byOffset[i]->begin < byOffset[i - 1]->end)
            throw Error(QStringLiteral("%1: tensors \"%2\" and \"%3\" overlap in the data section")
                            .arg(origin, byOffset[i - 1]->name, byOffset[i]->name));
    }
    return entries;
}

SafetensorsFile::SafetensorsFile(const QString& path)
    : m_path(path)
{
    m_fd = ::open(path.toLocal8Bit().constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0)
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    struct stat info {};
    if (::fstat(m_fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(m_fd);
        throw Error(QStringLiteral("%1: not a regular file").arg(path));
    }
    const uint64_t fileSize = static_cast<uint64_t>(info.st_size);
    auto fail = [&](const QString& message) {
        if (m_map)
            ::munmap(const_cast<uint8_t*>(m_map), m_mapSize);
        ::close(m_fd);
        throw Error(message);
    };
    if (fileSize < 8)
        fail(QStringLiteral("%1: truncated: %2 bytes, a safetensors file needs at least 8").arg(path).arg(fileSize));

    m_mapSize = fileSize;
    void* map = ::mmap(nullptr, m_mapSize, PROT_READ, MAP_PRIVATE, m_fd, 0);
    if (map == MAP_FAILED)
        fail(QStringLiteral("%1: cannot map: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    m_map = static_cast<const uint8_t*>(map);

    uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i)
        headerSize = (headerSize << 8) | m_map[i];
    if (headerSize > kMaxSafetensorsHeaderBytes)
        fail(QStringLiteral("%1: header length %2 is over the 100 MB limit (not a safetensors file, or corrupt)")
                 .arg(path)
                 .arg(headerSize));
    if (headerSize > fileSize - 8)
        fail(QStringLiteral("%1: truncated: the header claims %2 bytes but only %3 follow")
                 .arg(path)
                 .arg(headerSize)
                 .arg(fileSize - 8));
    m_dataStart = 8 + headerSize;
    try {
        const QByteArray json(reinterpret_cast<const char*>(m_map + 8), static_cast<qsizetype>(headerSize));
        m_entries = parseSafetensorsHeader(json, fileSize - m_dataStart, path, &m_metadata);
    } catch (const Error& error) {
        fail(error.message());
    }
    for (size_t i = 0; i < m_entries.size(); ++i)
        m_index[m_entries[i].name] = i;
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_map)
        ::munmap(const_cast<uint8_t*>(m_map), m_mapSize);
    if (m_fd >= 0)
        ::close(m_fd);
}

const SafetensorsEntry* SafetensorsFile::find(const QString& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

const SafetensorsEntry& SafetensorsFile::require(const QString& name) const
{
    const SafetensorsEntry* entry = find(name);
    if (!entry)
        throw Error(QStringLiteral("%1: missing tensor \"%2\"").arg(m_path, name));
    return *entry;
}

const void* SafetensorsFile::data(const SafetensorsEntry& entry) const { return m_map + m_dataStart + entry.begin; }

void SafetensorsFile::releasePages(const SafetensorsEntry& entry) const
{
    const uint64_t pageSize = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t begin = (m_dataStart + entry.begin) / pageSize * pageSize;
    const uint64_t end = m_dataStart + entry.end;
    if (end > begin)
        ::madvise(const_cast<uint8_t*>(m_map) + begin, end - begin, MADV_DONTNEED);
}

} // namespace ft
