#pragma once
// UTF-8 helpers for the tokenizer.json pipeline: walking code points, Rust's lossy decoding
// (String::from_utf8_lossy, which Hugging Face's decoders use), and Unicode normalization through
// Qt's implementation.

#include <cstddef>
#include <string>
#include <string_view>

#include <QString>

namespace ft::utf8 {

// Length in bytes of the character that starts with `lead` in valid UTF-8.
inline size_t charLength(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if (lead < 0xE0)
        return 2;
    if (lead < 0xF0)
        return 3;
    return 4;
}

// The code point at the start of `text` (valid UTF-8, not empty); *length receives its byte length.
char32_t decode(std::string_view text, size_t* length);

// The code point that ends at `end` (exclusive) in valid UTF-8; *length receives its byte length.
char32_t decodeBefore(std::string_view text, size_t end, size_t* length);

void append(std::string& out, char32_t codePoint);

bool isValid(std::string_view bytes);

// Every invalid sequence replaced with U+FFFD exactly as Rust's String::from_utf8_lossy does (one
// replacement per maximal prefix of a valid sequence).
std::string lossy(std::string_view bytes);

// `bytes` when it is valid UTF-8, else lossy(bytes).
std::string sanitized(std::string_view bytes);

// Unicode normalization (NFC, NFD, NFKC, NFKD) of valid UTF-8.
std::string normalized(std::string_view text, QString::NormalizationForm form);

// White_Space (the property Rust's char::is_whitespace and regex \s use).
bool isWhiteSpace(char32_t codePoint);
// General category N* (Nd, Nl, No): Rust's char::is_numeric.
bool isNumeric(char32_t codePoint);

} // namespace ft::utf8
