// The safetensors header: 8 bytes of the data section's size (little-endian), then the header JSON.
#include <cstring>

#include "fuzz_support.h"
#include "modelio/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 8)
        return 0;
    uint64_t dataSize = 0;
    std::memcpy(&dataSize, data, 8);
    ft::fuzz::refusalsAreFine([&] {
        std::map<QString, QString> metadata;
        ft::parseSafetensorsHeader(ft::fuzz::bytes(data + 8, size - 8), dataSize, QStringLiteral("fuzz"), &metadata);
    });
    return 0;
}
