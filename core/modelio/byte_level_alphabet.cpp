#include "modelio/byte_level_alphabet.h"

#include <array>

#include "modelio/utf8_text.h"

namespace ft::byte_level {

namespace {

struct Alphabet {
    std::array<std::string, 256> chars;
    std::array<int, 512> bytes{}; // code point (all below 512) -> byte, -1 when none

    Alphabet()
    {
        bytes.fill(-1);
        // Printable bytes keep their own code point; the others take 256, 257, ... in byte order.
        auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE); };
        int next = 256;
        for (int b = 0; b < 256; ++b) {
            const char32_t c = printable(b) ? char32_t(b) : char32_t(next++);
            utf8::append(chars[size_t(b)], c);
            bytes[size_t(c)] = b;
        }
    }
};

const Alphabet& alphabet()
{
    static const Alphabet table;
    return table;
}

} // namespace

const std::string& charOf(unsigned char b) { return alphabet().chars[b]; }

int byteOf(char32_t c) { return c < 512 ? alphabet().bytes[size_t(c)] : -1; }

std::string encode(std::string_view raw)
{
    const Alphabet& table = alphabet();
    std::string out;
    out.reserve(raw.size() * 2);
    for (const char c : raw)
        out += table.chars[static_cast<unsigned char>(c)];
    return out;
}

} // namespace ft::byte_level
