#pragma once
// Element types as safetensors names them.

#include <cstdint>
#include <optional>

#include <QString>

namespace ft {

enum class TensorDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

std::optional<TensorDtype> tensorDtypeFromName(const QString& name); // "F32" -> F32
QString tensorDtypeName(TensorDtype dtype);
int64_t tensorDtypeSize(TensorDtype dtype);
bool isFloatingDtype(TensorDtype dtype);

// The safetensors dtype matching a config.json torch_dtype ("float32", "bfloat16", "float16").
std::optional<TensorDtype> tensorDtypeFromTorchName(const QString& torchDtype);
QString torchNameFromTensorDtype(TensorDtype dtype);

} // namespace ft
