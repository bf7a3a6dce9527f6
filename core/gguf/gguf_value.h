#pragma once
// Typed GGUF metadata: scalars, strings and arrays of either, kept in the order they were set.

#include <cstdint>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include "gguf/gguf_format.h"

namespace ft {

class GgufValue {
public:
    GgufValue() = default;

    static GgufValue uint8(uint8_t v) { return scalar(GgufValueType::UInt8, v); }
    static GgufValue int8(int8_t v) { return scalar(GgufValueType::Int8, static_cast<uint8_t>(v)); }
    static GgufValue uint16(uint16_t v) { return scalar(GgufValueType::UInt16, v); }
    static GgufValue int16(int16_t v) { return scalar(GgufValueType::Int16, static_cast<uint16_t>(v)); }
    static GgufValue uint32(uint32_t v) { return scalar(GgufValueType::UInt32, v); }
    static GgufValue int32(int32_t v) { return scalar(GgufValueType::Int32, static_cast<uint32_t>(v)); }
    static GgufValue uint64(uint64_t v) { return scalar(GgufValueType::UInt64, v); }
    static GgufValue int64(int64_t v) { return scalar(GgufValueType::Int64, static_cast<uint64_t>(v)); }
    static GgufValue float32(float v);
    static GgufValue float64(double v);
    static GgufValue boolean(bool v) { return scalar(GgufValueType::Bool, v ? 1 : 0); }
    static GgufValue string(const QByteArray& utf8);
    static GgufValue string(const QString& text) { return string(text.toUtf8()); }

    static GgufValue stringArray(QList<QByteArray> utf8);
    static GgufValue float32Array(const std::vector<float>& values);
    static GgufValue int32Array(const std::vector<int32_t>& values);
    // Any numeric or bool element type, from the elements' bit patterns (as numberBits() returns them).
    static GgufValue numberArray(GgufValueType elementType, std::vector<uint64_t> bits);

    GgufValueType type() const { return m_array ? GgufValueType::Array : m_elementType; }
    GgufValueType elementType() const { return m_elementType; } // the scalar's own type for scalars
    bool isArray() const { return m_array; }
    int64_t count() const; // elements of an array; 1 for a scalar

    // Element i (0 for scalars), read as the element type says.
    uint64_t numberBits(int64_t i = 0) const { return m_bits.at(static_cast<size_t>(i)); }
    int64_t toInt(int64_t i = 0) const;     // signed or unsigned integers, bool
    uint64_t toUInt(int64_t i = 0) const;   // unsigned integers, bool
    double toDouble(int64_t i = 0) const;   // any number
    bool toBool(int64_t i = 0) const { return toInt(i) != 0; }
    QByteArray toBytes(int64_t i = 0) const { return m_strings.at(i); } // strings (UTF-8)
    QString toString(int64_t i = 0) const { return QString::fromUtf8(m_strings.at(i)); }

    // As JSON (numbers, bools, strings, arrays), for comparing with other readers.
    QJsonValue toJson() const;

    // Appends the value's type id(s) and payload as GGUF stores them (not the key).
    void serialize(QByteArray& out, bool withType = true) const;

    bool operator==(const GgufValue& other) const;
    bool operator!=(const GgufValue& other) const { return !(*this == other); }

    // Used by the reader.
    static GgufValue fromParts(GgufValueType elementType, bool array, std::vector<uint64_t> bits,
                               QList<QByteArray> strings);

private:
    static GgufValue scalar(GgufValueType type, uint64_t bits);
    GgufValueType m_elementType = GgufValueType::UInt8;
    bool m_array = false;
    std::vector<uint64_t> m_bits;  // numbers and bools: raw bit patterns of the element width
    QList<QByteArray> m_strings;   // strings
};

class GgufMetadata {
public:
    // Sets `key`, replacing its value (and keeping its place) when it is already set.
    void set(const QByteArray& key, GgufValue value);
    void set(const QString& key, GgufValue value) { set(key.toUtf8(), std::move(value)); }
    bool remove(const QByteArray& key);
    const GgufValue* find(const QByteArray& key) const;
    const GgufValue* find(const QString& key) const { return find(key.toUtf8()); }
    bool contains(const QString& key) const { return find(key) != nullptr; }
    const std::vector<std::pair<QByteArray, GgufValue>>& entries() const { return m_entries; }
    size_t size() const { return m_entries.size(); }

private:
    std::vector<std::pair<QByteArray, GgufValue>> m_entries;
};

} // namespace ft
