#pragma once
// Exporting a Hugging Face model folder (Llama, Mistral, Qwen2, Qwen3; safetensors, single or sharded) to one
// GGUF v3 file for llama.cpp, Ollama and LM Studio. Weights are read from the memory-mapped safetensors a
// tensor at a time and converted in chunks of rows, so memory stays near one chunk whatever the model's size.
// See docs/gguf.md for the types, the metadata and what was checked against which reader.

#include <cstdint>
#include <map>
#include <vector>

#include <QString>
#include <QStringList>

#include "common/progress.h"
#include "gguf/gguf_format.h"
#include "gguf/gguf_tensor_plan.h"

namespace ft {

struct GgufExportOptions {
    GgufFileType fileType = GgufFileType::MostlyF16;
    QString name;              // general.name; default: the model folder's name
    QString chatTemplate;      // replaces the folder's chat template (tokenizer_config.json) when not empty
    ProgressCallback progress; // (bytes written, file bytes); returning false cancels the export
};

struct GgufExportResult {
    bool cancelled = false; // the progress callback said stop: nothing was left under the output path
    QString path;
    uint64_t bytes = 0;
    QString architecture;                   // "llama", "qwen2", "qwen3"
    std::vector<GgufTypeFallback> fallbacks; // tensors whose rows did not fit the intended type
    std::map<GgmlType, int> tensorTypes;     // how many tensors of each type
    QStringList warnings;                    // tokenizer details llama.cpp may read differently
    QStringList stopTokens;                  // end-of-sequence / end-of-turn texts (for an Ollama Modelfile)
    QString eosToken;                        // the end-of-sequence token's text (empty: none)
    QString chatTemplate;                    // the template written (empty: none)
};

// Writes `outPath` (through a temporary file in its folder, renamed at the end). Throws ft::Error naming the file
// or tensor on bad input (unknown architecture or tensor, NaN/Inf weights, values beyond the type's range, a
// missing tokenizer) and when the destination cannot be written; a failed or cancelled export leaves no file
// under `outPath`.
GgufExportResult exportGguf(const QString& modelFolder, const QString& outPath, const GgufExportOptions& options);

struct GgufSizeEstimate {
    GgufFileType fileType = GgufFileType::MostlyF16;
    uint64_t bytes = 0; // the exact file size the export will write
    std::vector<GgufTypeFallback> fallbacks;
};

// The size of the file each type would give, computed from the tensor shapes and the metadata without reading
// any weights. Throws as exportGguf does for a folder it cannot export.
std::vector<GgufSizeEstimate> estimateGgufSize(const QString& modelFolder,
                                               const QList<GgufFileType>& fileTypes = ggufFileTypes(),
                                               const QString& chatTemplate = {});

} // namespace ft
