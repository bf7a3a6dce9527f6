// A Hugging Face tokenizer.json: read, then a text with added tokens, bytes and spaces encoded and
// decoded again.
#include "fuzz_support.h"
#include "modelio/tokenizer_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString path = ft::fuzz::writeInput(data, size, QStringLiteral("tokenizer.json"));
    ft::fuzz::refusalsAreFine([&] {
        const auto tokenizer = ft::TokenizerJsonBackend::load(path);
        const std::string text = "Hello  world!\n<|im_start|>user \xC3\xA9t\xC3\xA9 123 \xF0\x9F\x98\x80<s></s>";
        const std::vector<ft::TokenId> ids = tokenizer->encode(text);
        (void)tokenizer->decode(ids, false);
        (void)tokenizer->encodeWithSpecialTokens(text, tokenizer->declaredBos(), tokenizer->declaredEos());
    });
    return 0;
}
