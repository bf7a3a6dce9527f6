// config.json of a Hugging Face model folder, rope_scaling included.
#include "common/json_file.h"
#include "fuzz_support.h"
#include "modelio/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ft::fuzz::refusalsAreFine([&] {
        const ft::ModelConfig config =
            ft::ModelConfig::fromJson(ft::parseJsonObject(ft::fuzz::bytes(data, size), QStringLiteral("config.json")),
                                      QStringLiteral("config.json"));
        (void)config.parameterCount();
    });
    return 0;
}
