#include "gguf/gguf_value.h"

#include <cstring>

#include <QJsonArray>

namespace ft {

namespace {

void putLe(QByteArray& out, uint64_t bits, int bytes)
{
    char buffer[8];
    for (int i = 0; i < bytes; ++i)
        buffer[i] = static_cast<char>(bits >> (8 * i));
    out.append(buffer, bytes);
}

void putString(QByteArray& out, const QByteArray& s)
{
    putLe(out, static_cast<uint64_t>(s.size()), 8);
    out.append(s);
}

bool isSigned(GgufValueType type)
{
    return type == GgufValueType::Int8 || type == GgufValueType::Int16 || type == GgufValueType::Int32 ||
           type == GgufValueType::Int64;
}

int64_t signExtend(uint64_t bits, int bytes)
{
    if (bytes >= 8)
        return static_cast<int64_t>(bits);
    const int shift = 64 - 8 * bytes;
    return static_cast<int64_t>(bits << shift) >> shift;
}

} // namespace

GgufValue GgufValue::scalar(GgufValueType type, uint64_t bits)
{
    GgufValue value;
    value.m_elementType = type;
    value.m_bits = {bits};
    return value;
}

GgufValue GgufValue::float32(float v)
{
    uint32_t bits = 0;
    std::memcpy(&bits, &v, 4);
    return scalar(GgufValueType::Float32, bits);
}

GgufValue GgufValue::float64(double v)
{
    uint64_t bits = 0;
    std::memcpy(&bits, &v, 8);
    return scalar(GgufValueType::Float64, bits);
}

GgufValue GgufValue::string(const QByteArray& utf8)
{
    GgufValue value;
    value.m_elementType = GgufValueType::String;
    value.m_strings = {utf8};
    return value;
}

GgufValue GgufValue::stringArray(QList<QByteArray> utf8)
{
    GgufValue value;
    value.m_elementType = GgufValueType::String;
    value.m_array = true;
    value.m_strings = std::move(utf8);
    return value;
}

GgufValue GgufValue::float32Array(const std::vector<float>& values)
{
    std::vector<uint64_t> bits(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        uint32_t b = 0;
        std::memcpy(&b, &values[i], 4);
        bits[i] = b;
    }
    return numberArray(GgufValueType::Float32, std::move(bits));
}

GgufValue GgufValue::int32Array(const std::vector<int32_t>& values)
{
    std::vector<uint64_t> bits(values.size());
    for (size_t i = 0; i < values.size(); ++i)
        bits[i] = static_cast<uint32_t>(values[i]);
    return numberArray(GgufValueType::Int32, std::move(bits));
}

GgufValue GgufValue::numberArray(GgufValueType elementType, std::vector<uint64_t> bits)
{
    GgufValue value;
    value.m_elementType = elementType;
    value.m_array = true;
    value.m_bits = std::move(bits);
    return value;
}

GgufValue GgufValue::fromParts(GgufValueType elementType, bool array, std::vector<uint64_t> bits,
                               QList<QByteArray> strings)
{
    GgufValue value;
    value.m_elementType = elementType;
    value.m_array = array;
    value.m_bits = std::move(bits);
    value.m_strings = std::move(strings);
    return value;
}

int64_t GgufValue::count() const
{
    return m_elementType == GgufValueType::String ? m_strings.size() : static_cast<int64_t>(m_bits.size());
}

int64_t GgufValue::toInt(int64_t i) const
{
    const uint64_t bits = numberBits(i);
    if (isSigned(m_elementType))
        return signExtend(bits, ggufValueTypeSize(m_elementType));
    if (m_elementType == GgufValueType::Float32 || m_elementType == GgufValueType::Float64)
        return static_cast<int64_t>(toDouble(i));
    return static_cast<int64_t>(bits);
}

uint64_t GgufValue::toUInt(int64_t i) const
{
    if (isSigned(m_elementType) || m_elementType == GgufValueType::Float32 ||
        m_elementType == GgufValueType::Float64)
        return static_cast<uint64_t>(toInt(i));
    return numberBits(i);
}

double GgufValue::toDouble(int64_t i) const
{
    const uint64_t bits = numberBits(i);
    if (m_elementType == GgufValueType::Float32) {
        const uint32_t b = static_cast<uint32_t>(bits);
        float f = 0;
        std::memcpy(&f, &b, 4);
        return f;
    }
    if (m_elementType == GgufValueType::Float64) {
        double d = 0;
        std::memcpy(&d, &bits, 8);
        return d;
    }
    if (isSigned(m_elementType))
        return static_cast<double>(toInt(i));
    return static_cast<double>(bits);
}

QJsonValue GgufValue::toJson() const
{
    auto element = [this](int64_t i) -> QJsonValue {
        switch (m_elementType) {
        case GgufValueType::String:
            return toString(i);
        case GgufValueType::Bool:
            return toBool(i);
        case GgufValueType::Float32:
        case GgufValueType::Float64:
            return toDouble(i);
        case GgufValueType::UInt64:
            return static_cast<double>(toUInt(i));
        default:
            return static_cast<qint64>(toInt(i));
        }
    };
    if (!m_array)
        return element(0);
    QJsonArray array;
    for (int64_t i = 0; i < count(); ++i)
        array.append(element(i));
    return array;
}

void GgufValue::serialize(QByteArray& out, bool withType) const
{
    if (withType)
        putLe(out, static_cast<uint32_t>(type()), 4);
    if (m_array) {
        putLe(out, static_cast<uint32_t>(m_elementType), 4);
        putLe(out, static_cast<uint64_t>(count()), 8);
    }
    if (m_elementType == GgufValueType::String) {
        for (const QByteArray& s : m_strings)
            putString(out, s);
        return;
    }
    const int width = ggufValueTypeSize(m_elementType);
    for (uint64_t bits : m_bits)
        putLe(out, bits, width);
}

bool GgufValue::operator==(const GgufValue& other) const
{
    return m_elementType == other.m_elementType && m_array == other.m_array && m_bits == other.m_bits &&
           m_strings == other.m_strings;
}

void GgufMetadata::set(const QByteArray& key, GgufValue value)
{
    for (auto& entry : m_entries) {
        if (entry.first == key) {
            entry.second = std::move(value);
            return;
        }
    }
    m_entries.emplace_back(key, std::move(value));
}

bool GgufMetadata::remove(const QByteArray& key)
{
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->first == key) {
            m_entries.erase(it);
            return true;
        }
    }
    return false;
}

const GgufValue* GgufMetadata::find(const QByteArray& key) const
{
    for (const auto& entry : m_entries)
        if (entry.first == key)
            return &entry.second;
    return nullptr;
}

} // namespace ft
