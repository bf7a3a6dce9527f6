#pragma once
// Reading a GGUF file's header: its metadata and tensor infos, checked as hostile input (every length, count,
// type, shape and offset is validated against the file before it is used). Used by the tests, and by anything
// that wants to show what a GGUF file holds.

#include <cstdint>
#include <vector>

#include <QByteArray>
#include <QString>

#include "gguf/gguf_value.h"

namespace ft {

struct GgufTensorInfo {
    QString name;
    std::vector<int64_t> dims; // ggml order: dims[0] is the row length (innermost)
    GgmlType type = GgmlType::F32;
    uint64_t offset = 0; // into the data section
    uint64_t bytes = 0;
    std::vector<int64_t> shape() const { return {dims.rbegin(), dims.rend()}; } // row-major
};

struct GgufFileInfo {
    QString path;
    uint32_t version = 0;
    uint32_t alignment = kGgufDefaultAlignment;
    GgufMetadata metadata;
    std::vector<GgufTensorInfo> tensors;
    uint64_t dataOffset = 0;
    uint64_t fileBytes = 0;

    const GgufTensorInfo* findTensor(const QString& name) const;
};

// Throws ft::Error naming the file and what is wrong with it.
GgufFileInfo readGgufFile(const QString& path);

// The bytes of one tensor of a file read by readGgufFile.
QByteArray readGgufTensorBytes(const GgufFileInfo& file, const GgufTensorInfo& tensor);

} // namespace ft
