// A GGUF file's header, metadata and tensor table, as the studio's reader checks an export.
#include "fuzz_support.h"
#include "gguf/gguf_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = ft::fuzz::writeInput(data, size, QStringLiteral("model.gguf"));
    ft::fuzz::refusalsAreFine([&] {
        const ft::GgufFileInfo file = ft::readGgufFile(path);
        for (const ft::GgufTensorInfo& tensor : file.tensors)
            (void)ft::readGgufTensorBytes(file, tensor);
    });
    return 0;
}
