#pragma once
// Writing a safetensors file tensor by tensor (so that only one tensor's bytes are in memory at a
// time), to a temporary name that is renamed into place once everything is on disk.

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include <QByteArray>
#include <QString>

#include "modelio/tensor_dtype.h"

namespace ft {

struct SafetensorsOutput {
    QString name;
    TensorDtype dtype = TensorDtype::F32;
    std::vector<int64_t> shape;
    // Produces exactly elementCount * dtype size bytes, little-endian, row-major.
    std::function<QByteArray()> bytes;
};

// Tensors are written in the order given; the header lists them sorted by name as the format's
// reference writer does. Header padded with spaces to a multiple of 8 bytes.
void writeSafetensors(const QString& path, const std::vector<SafetensorsOutput>& tensors,
                      const std::map<QString, QString>& metadata = {});

} // namespace ft
