#pragma once
// Between safetensors bytes and LibTorch tensors.

#include <torch/torch.h>

#include <QByteArray>

#include "modelio/safetensors_file.h"

namespace ft {

torch::ScalarType scalarTypeOf(TensorDtype dtype);
TensorDtype tensorDtypeOf(torch::ScalarType type);                    // throws for types safetensors cannot hold
torch::ScalarType scalarTypeFromTorchName(const QString& torchDtype); // "bfloat16" -> kBFloat16

// A tensor viewing the entry's bytes inside the map: no copy. Valid while `file` lives.
torch::Tensor viewEntry(const SafetensorsFile& file, const SafetensorsEntry& entry);

// A new tensor holding the entry converted to `type`: exactly one copy.
torch::Tensor readEntry(const SafetensorsFile& file, const SafetensorsEntry& entry, torch::ScalarType type);

// The bytes of `tensor` as `type`, contiguous, for writing.
QByteArray tensorBytes(const torch::Tensor& tensor, torch::ScalarType type);

} // namespace ft
