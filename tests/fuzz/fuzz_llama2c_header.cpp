// A llama2.c checkpoint's header and the sections it promises.
#include "fuzz_support.h"
#include "modelio/llama2c_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = ft::fuzz::writeInput(data, size, QStringLiteral("model.bin"));
    ft::fuzz::refusalsAreFine([&] {
        const ft::Llama2cHeader header = ft::readLlama2cHeader(path);
        (void)ft::llama2cSections(header);
        (void)ft::llama2cExpectedFloats(header);
        (void)ft::llama2cModelConfig(header);
    });
    return 0;
}
