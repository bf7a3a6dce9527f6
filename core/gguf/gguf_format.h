#pragma once
// The constants of the GGUF v3 file format and the ggml tensor types it stores.
//
// Layout: "GGUF" | u32 version (3) | u64 tensor count | u64 metadata count | metadata (key string, u32 value
// type, value) | tensor infos (name string, u32 n_dims, u64 dims[n_dims] innermost first, u32 ggml type, u64
// offset into the data section) | padding to the alignment | tensor data, each tensor starting on a multiple of
// the alignment (general.alignment, default 32). Strings are u64 length + UTF-8 bytes; everything little-endian.

#include <cstdint>
#include <optional>
#include <vector>

#include <QList>
#include <QString>

namespace ft {

constexpr uint32_t kGgufMagic = 0x46554747; // the bytes "GGUF" read as a little-endian u32
constexpr uint32_t kGgufVersion = 3;
constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr uint32_t kGgmlQuantizationVersion = 2; // general.quantization_version
constexpr int kGgmlMaxDims = 4;
constexpr int kGgmlMaxNameBytes = 63; // GGML_MAX_NAME (64) less the terminating NUL

enum class GgufValueType : uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};

QString ggufValueTypeName(GgufValueType type); // "uint32", "string", ...
int ggufValueTypeSize(GgufValueType type);     // bytes of a scalar; 0 for String and Array
bool isKnownGgufValueType(uint32_t id);

// ggml tensor types (ggml.h `enum ggml_type`). The writer produces F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K; the
// others are listed so that the reader can size any common file.
enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
};

constexpr int64_t kQK = 32;   // elements per block of Q4_0 / Q8_0
constexpr int64_t kQKK = 256; // elements per super-block of the k-quants

std::optional<GgmlType> ggmlTypeFromId(uint32_t id); // nullopt for types this code cannot size
QString ggmlTypeName(GgmlType type);                 // "F32", "Q4_K", ...
std::optional<GgmlType> ggmlTypeFromName(const QString& name);
int64_t ggmlBlockSize(GgmlType type);  // elements per block (1 for plain types)
int64_t ggmlBlockBytes(GgmlType type); // bytes per block
bool ggmlRowFits(GgmlType type, int64_t rowLength); // rowLength is a whole number of blocks
int64_t ggmlRowBytes(GgmlType type, int64_t rowLength);
// Bytes of a tensor of `shape` (row-major, the last dimension is the row); 0 if the rows do not fit the type.
uint64_t ggmlTensorBytes(GgmlType type, const std::vector<int64_t>& shape);

// llama.cpp's `llama_ftype`: what general.file_type says about the file as a whole.
enum class GgufFileType : uint32_t {
    AllF32 = 0,
    MostlyF16 = 1,
    MostlyQ4_0 = 2,
    MostlyQ8_0 = 7,
    MostlyQ4_K_M = 15,
    MostlyBF16 = 32,
};

QString ggufFileTypeName(GgufFileType type); // "F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K_M"
std::optional<GgufFileType> ggufFileTypeFromName(const QString& name); // case-insensitive
QList<GgufFileType> ggufFileTypes();                                   // every type the exporter writes

} // namespace ft
