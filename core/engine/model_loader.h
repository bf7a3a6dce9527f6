#pragma once
// Loading a model (Hugging Face folder or llama2.c .bin) into the LibTorch module, and writing a
// Hugging Face folder back out.

#include <functional>
#include <memory>

#include <QString>
#include <QStringList>

#include "engine/llama_model.h"
#include "modelio/model_folder.h"
#include "modelio/tokenizer.h"

namespace ft {

struct LoadedModel {
    ModelConfig config;
    LlamaForCausalLM model{nullptr};
    std::shared_ptr<const Tokenizer> tokenizer; // null when no tokenizer was found (llama2.c without one)
    QString sourcePath;
    QStringList warnings; // e.g. tensors in the file that the model does not use
};

struct LoadOptions {
    torch::ScalarType dtype = torch::kFloat32; // compute dtype
    bool requireTokenizer = true;
    QString tokenizerPath; // for llama2.c checkpoints: a sentencepiece .model; found beside the .bin if empty
    // Runs on the freshly built (uninitialised) model before any weight is copied in: e.g. replaces
    // projections by quantized ones, which then quantize each weight as it is loaded, so that the
    // full-precision base never exists in memory at once.
    std::function<void(LlamaForCausalLMImpl&)> prepare;
};

// `path` is a Hugging Face model folder or a llama2.c `.bin` file.
LoadedModel loadModel(const QString& path, const LoadOptions& options = {});

// Copies every tensor of `folder`'s safetensors files into `model` (one slot at a time, converting to
// the model's dtype while copying out of the memory map). Returns warnings for unused tensors.
QStringList loadSafetensorsWeights(LlamaForCausalLMImpl& model, const ModelFolder& folder);

struct SaveOptions {
    QString dtype;           // "float32" | "bfloat16" | "float16"; empty: the config's torch_dtype
    QString tokenizerSource; // folder whose tokenizer files are copied, or a .model file
    bool replaceExisting = false;
};

// Writes config.json, model.safetensors and the tokenizer files into `outFolder`, atomically. Refuses a
// model with a soft prompt, which such a folder cannot hold.
void saveModelFolder(LlamaForCausalLMImpl& model, const QString& outFolder, const SaveOptions& options);

} // namespace ft
