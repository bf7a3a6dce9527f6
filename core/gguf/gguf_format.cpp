#include "gguf/gguf_format.h"

#include <array>

namespace ft {

namespace {

struct TypeTraits {
    GgmlType type;
    const char* name;
    int64_t blockSize;
    int64_t blockBytes;
};

// ggml's type_traits: block sizes and bytes per block.
constexpr std::array<TypeTraits, 20> kTraits{{
    {GgmlType::F32, "F32", 1, 4},
    {GgmlType::F16, "F16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", kQK, 2 + kQK / 2},
    {GgmlType::Q4_1, "Q4_1", kQK, 4 + kQK / 2},
    {GgmlType::Q5_0, "Q5_0", kQK, 2 + 4 + kQK / 2},
    {GgmlType::Q5_1, "Q5_1", kQK, 4 + 4 + kQK / 2},
    {GgmlType::Q8_0, "Q8_0", kQK, 2 + kQK},
    {GgmlType::Q8_1, "Q8_1", kQK, 4 + kQK},
    {GgmlType::Q2_K, "Q2_K", kQKK, kQKK / 16 + kQKK / 4 + 4},
    {GgmlType::Q3_K, "Q3_K", kQKK, kQKK / 8 + kQKK / 4 + 12 + 2},
    {GgmlType::Q4_K, "Q4_K", kQKK, 4 + 12 + kQKK / 2},
    {GgmlType::Q5_K, "Q5_K", kQKK, 4 + 12 + kQKK / 8 + kQKK / 2},
    {GgmlType::Q6_K, "Q6_K", kQKK, kQKK / 2 + kQKK / 4 + kQKK / 16 + 2},
    {GgmlType::Q8_K, "Q8_K", kQKK, 4 + kQKK + kQKK / 16 * 2},
    {GgmlType::I8, "I8", 1, 1},
    {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},
    {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},
    {GgmlType::BF16, "BF16", 1, 2},
}};

const TypeTraits& traits(GgmlType type)
{
    for (const TypeTraits& t : kTraits)
        if (t.type == type)
            return t;
    return kTraits[0]; // unreachable for values of the enum
}

} // namespace

QString ggufValueTypeName(GgufValueType type)
{
    switch (type) {
    case GgufValueType::UInt8:
        return QStringLiteral("uint8");
    case GgufValueType::Int8:
        return QStringLiteral("int8");
    case GgufValueType::UInt16:
        return QStringLiteral("uint16");
    case GgufValueType::Int16:
        return QStringLiteral("int16");
    case GgufValueType::UInt32:
        return QStringLiteral("uint32");
    case GgufValueType::Int32:
        return QStringLiteral("int32");
    case GgufValueType::Float32:
        return QStringLiteral("float32");
    case GgufValueType::Bool:
        return QStringLiteral("bool");
    case GgufValueType::String:
        return QStringLiteral("string");
    case GgufValueType::Array:
        return QStringLiteral("array");
    case GgufValueType::UInt64:
        return QStringLiteral("uint64");
    case GgufValueType::Int64:
        return QStringLiteral("int64");
    case GgufValueType::Float64:
        return QStringLiteral("float64");
    }
    return QStringLiteral("unknown");
}

int ggufValueTypeSize(GgufValueType type)
{
    switch (type) {
    case GgufValueType::UInt8:
    case GgufValueType::Int8:
    case GgufValueType::Bool:
        return 1;
    case GgufValueType::UInt16:
    case GgufValueType::Int16:
        return 2;
    case GgufValueType::UInt32:
    case GgufValueType::Int32:
    case GgufValueType::Float32:
        return 4;
    case GgufValueType::UInt64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
        return 8;
    case GgufValueType::String:
    case GgufValueType::Array:
        return 0;
    }
    return 0;
}

bool isKnownGgufValueType(uint32_t id) { return id <= static_cast<uint32_t>(GgufValueType::Float64); }

std::optional<GgmlType> ggmlTypeFromId(uint32_t id)
{
    for (const TypeTraits& t : kTraits)
        if (static_cast<uint32_t>(t.type) == id)
            return t.type;
    return std::nullopt;
}

QString ggmlTypeName(GgmlType type) { return QString::fromLatin1(traits(type).name); }

std::optional<GgmlType> ggmlTypeFromName(const QString& name)
{
    for (const TypeTraits& t : kTraits)
        if (name.compare(QLatin1String(t.name), Qt::CaseInsensitive) == 0)
            return t.type;
    return std::nullopt;
}

int64_t ggmlBlockSize(GgmlType type) { return traits(type).blockSize; }
int64_t ggmlBlockBytes(GgmlType type) { return traits(type).blockBytes; }

bool ggmlRowFits(GgmlType type, int64_t rowLength) { return rowLength > 0 && rowLength % ggmlBlockSize(type) == 0; }

int64_t ggmlRowBytes(GgmlType type, int64_t rowLength)
{
    return rowLength / ggmlBlockSize(type) * ggmlBlockBytes(type);
}

uint64_t ggmlTensorBytes(GgmlType type, const std::vector<int64_t>& shape)
{
    if (shape.empty() || !ggmlRowFits(type, shape.back()))
        return 0;
    uint64_t rows = 1;
    for (size_t i = 0; i + 1 < shape.size(); ++i)
        rows *= static_cast<uint64_t>(shape[i]);
    return rows * static_cast<uint64_t>(ggmlRowBytes(type, shape.back()));
}

QString ggufFileTypeName(GgufFileType type)
{
    switch (type) {
    case GgufFileType::AllF32:
        return QStringLiteral("F32");
    case GgufFileType::MostlyF16:
        return QStringLiteral("F16");
    case GgufFileType::MostlyBF16:
        return QStringLiteral("BF16");
    case GgufFileType::MostlyQ8_0:
        return QStringLiteral("Q8_0");
    case GgufFileType::MostlyQ4_0:
        return QStringLiteral("Q4_0");
    case GgufFileType::MostlyQ4_K_M:
        return QStringLiteral("Q4_K_M");
    }
    return QStringLiteral("unknown");
}

QList<GgufFileType> ggufFileTypes()
{
    return {GgufFileType::AllF32,     GgufFileType::MostlyF16,  GgufFileType::MostlyBF16,
            GgufFileType::MostlyQ8_0, GgufFileType::MostlyQ4_0, GgufFileType::MostlyQ4_K_M};
}

std::optional<GgufFileType> ggufFileTypeFromName(const QString& name)
{
    for (GgufFileType type : ggufFileTypes())
        if (name.compare(ggufFileTypeName(type), Qt::CaseInsensitive) == 0)
            return type;
    return std::nullopt;
}

} // namespace ft
