#pragma once
// Tiny random models for engine tests that must run without ../shared, and access to the fixtures.

#include <memory>

#include <torch/torch.h>

#include <QString>

#include "engine/llama_model.h"
#include "modelio/model_config.h"
#include "modelio/tokenizer.h"

namespace ft::test {

// A small Llama configuration (64 hidden, 2 layers, 4 heads, 2 KV heads) sized to the test tokenizer.
ModelConfig tinyConfig(const QString& architecture = QStringLiteral("LlamaForCausalLM"));

// A sentencepiece model trained once per process on the project's sample text.
QString testTokenizerPath();

// Writes a randomly initialised model of `config` to `folder` (with the test tokenizer), stored as
// `dtype` ("float32", "bfloat16", "float16"). Returns the folder.
QString writeRandomModel(const QString& folder, const ModelConfig& config,
                         const QString& dtype = QStringLiteral("float32"), uint64_t seed = 7);

// A tensor of ../shared/fixtures/stories260K/reference.safetensors (the caller checks FT_REQUIRE_SHARED).
torch::Tensor referenceTensor(const QString& name);

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b);

} // namespace ft::test
