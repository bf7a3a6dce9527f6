#include "modelio/tensor_dtype.h"

namespace ft {

namespace {
struct DtypeInfo {
    TensorDtype dtype;
    const char* name;
    int64_t size;
    const char* torchName;
};
constexpr DtypeInfo kDtypes[] = {
    {TensorDtype::F64, "F64", 8, "float64"}, {TensorDtype::F32, "F32", 4, "float32"},
    {TensorDtype::F16, "F16", 2, "float16"}, {TensorDtype::BF16, "BF16", 2, "bfloat16"},
    {TensorDtype::I64, "I64", 8, "int64"},   {TensorDtype::I32, "I32", 4, "int32"},
    {TensorDtype::I16, "I16", 2, "int16"},   {TensorDtype::I8, "I8", 1, "int8"},
    {TensorDtype::U8, "U8", 1, "uint8"},     {TensorDtype::Bool, "BOOL", 1, "bool"},
};

const DtypeInfo& info(TensorDtype dtype)
{
    for (const DtypeInfo& entry : kDtypes)
        if (entry.dtype == dtype)
            return entry;
    return kDtypes[1];
}
} // namespace

std::optional<TensorDtype> tensorDtypeFromName(const QString& name)
{
    for (const DtypeInfo& entry : kDtypes)
        if (name == QLatin1String(entry.name))
            return entry.dtype;
    return std::nullopt;
}

QString tensorDtypeName(TensorDtype dtype) { return QLatin1String(info(dtype).name); }
int64_t tensorDtypeSize(TensorDtype dtype) { return info(dtype).size; }

bool isFloatingDtype(TensorDtype dtype)
{
    return dtype == TensorDtype::F64 || dtype == TensorDtype::F32 || dtype == TensorDtype::F16 ||
           dtype == TensorDtype::BF16;
}

std::optional<TensorDtype> tensorDtypeFromTorchName(const QString& torchDtype)
{
    for (const DtypeInfo& entry : kDtypes)
        if (torchDtype == QLatin1String(entry.torchName))
            return entry.dtype;
    return std::nullopt;
}

QString torchNameFromTensorDtype(TensorDtype dtype) { return QLatin1String(info(dtype).torchName); }

} // namespace ft
