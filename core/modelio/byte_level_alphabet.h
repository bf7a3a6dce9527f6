#pragma once
// GPT-2's byte-to-character table (bytes_to_unicode): every byte maps to one printable character so
// that byte-level BPE vocabularies are text. Used by the ByteLevel pre-tokenizer, the BPE model's
// fast path and the ByteLevel decoder.

#include <string>
#include <string_view>

namespace ft::byte_level {

// UTF-8 of the character byte `b` maps to.
const std::string& charOf(unsigned char b);
// The byte whose character is `c`, or -1 when `c` is not in the alphabet.
int byteOf(char32_t c);
// Every byte of `raw` replaced by its character.
std::string encode(std::string_view raw);

} // namespace ft::byte_level
