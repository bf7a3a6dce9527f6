#pragma once
// Writing a GGUF v3 file a tensor at a time: the header (metadata and tensor infos) first, then each tensor's
// bytes as its producer streams them, so that memory holds about one chunk of one tensor, never the model.
// The file is written under a temporary name in the target folder and renamed to `path` only once complete;
// a cancelled or failed write leaves nothing under `path` (an existing file there stays as it was).

#include <cstdint>
#include <functional>
#include <vector>

#include <QString>

#include "common/progress.h"
#include "gguf/gguf_value.h"

namespace ft {

// Receives a tensor's bytes in order; may be called any number of times.
using GgufByteSink = std::function<void(const char* data, int64_t size)>;

struct GgufTensorSource {
    QString name;               // at most 63 bytes of UTF-8
    std::vector<int64_t> shape; // row-major, outermost first (PyTorch's order); the file stores it reversed
    GgmlType type = GgmlType::F32;
    // Writes exactly ggmlTensorBytes(type, shape) bytes through the sink.
    std::function<void(const GgufByteSink& write)> produce;
};

struct GgufLayout {
    uint64_t headerBytes = 0;      // magic .. last tensor info, before the padding
    uint64_t dataOffset = 0;       // where the data section starts (aligned)
    std::vector<uint64_t> offsets; // each tensor's offset into the data section
    uint64_t fileBytes = 0;        // the whole file
};

// Where everything will land; throws ft::Error for a tensor whose name, shape or type cannot be written.
GgufLayout planGguf(const GgufMetadata& metadata, const std::vector<GgufTensorSource>& tensors,
                    uint32_t alignment = kGgufDefaultAlignment);

// Writes the file. `progress` gets (bytes written, file bytes) after the header and after every chunk; when it
// returns false the write stops, the temporary file is removed and this returns false. Throws ft::Error naming
// the path (and the tensor) on any failure. An alignment other than 32 is recorded as general.alignment.
bool writeGguf(const QString& path, const GgufMetadata& metadata, const std::vector<GgufTensorSource>& tensors,
               const ProgressCallback& progress = {}, uint32_t alignment = kGgufDefaultAlignment);

} // namespace ft
