#include "engine/tensor_convert.h"

#include <cstring>

#include "common/error.h"

namespace ft {

torch::ScalarType scalarTypeOf(TensorDtype dtype)
{
    switch (dtype) {
    case TensorDtype::F64:
        return torch::kFloat64;
    case TensorDtype::F32:
        return torch::kFloat32;
    case TensorDtype::F16:
        return torch::kFloat16;
    case TensorDtype::BF16:
        return torch::kBFloat16;
    case TensorDtype::I64:
        return torch::kInt64;
    case TensorDtype::I32:
        return torch::kInt32;
    case TensorDtype::I16:
        return torch::kInt16;
    case TensorDtype::I8:
        return torch::kInt8;
    case TensorDtype::U8:
        return torch::kUInt8;
    case TensorDtype::Bool:
        return torch::kBool;
    }
    return torch::kFloat32;
}

TensorDtype tensorDtypeOf(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat64:
        return TensorDtype::F64;
    case torch::kFloat32:
        return TensorDtype::F32;
    case torch::kFloat16:
        return TensorDtype::F16;
    case torch::kBFloat16:
        return TensorDtype::BF16;
    case torch::kInt64:
        return TensorDtype::I64;
    case torch::kInt32:
        return TensorDtype::I32;
    case torch::kInt16:
        return TensorDtype::I16;
    case torch::kInt8:
        return TensorDtype::I8;
    case torch::kUInt8:
        return TensorDtype::U8;
    case torch::kBool:
        return TensorDtype::Bool;
    default:
        throw Error(QStringLiteral("tensor type %1 cannot be stored in safetensors").arg(c10::toString(type)));
    }
}

torch::ScalarType scalarTypeFromTorchName(const QString& torchDtype)
{
    const auto dtype = tensorDtypeFromTorchName(torchDtype);
    if (!dtype || !isFloatingDtype(*dtype))
        throw Error(
            QStringLiteral("unknown floating dtype \"%1\" (expected float32, bfloat16 or float16)").arg(torchDtype));
    return scalarTypeOf(*dtype);
}

torch::Tensor viewEntry(const SafetensorsFile& file, const SafetensorsEntry& entry)
{
    // from_blob needs a non-const pointer; the map is read-only and the view is never written to.
    return torch::from_blob(const_cast<void*>(file.data(entry)), entry.shape,
                            torch::TensorOptions().dtype(scalarTypeOf(entry.dtype)));
}

torch::Tensor readEntry(const SafetensorsFile& file, const SafetensorsEntry& entry, torch::ScalarType type)
{
    torch::Tensor out = torch::empty(entry.shape, torch::TensorOptions().dtype(type));
    out.copy_(viewEntry(file, entry));
    return out;
}

QByteArray tensorBytes(const torch::Tensor& tensor, torch::ScalarType type)
{
    const torch::Tensor source = tensor.detach().to(torch::kCPU, type).contiguous();
    const qsizetype size = static_cast<qsizetype>(source.numel() * source.element_size());
    QByteArray bytes(size, Qt::Uninitialized);
    if (size > 0)
        std::memcpy(bytes.data(), source.data_ptr(), static_cast<size_t>(size));
    return bytes;
}

} // namespace ft
