#include "modelio/utf8_text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <QByteArray>
#include <QChar>
#include <QStringDecoder>

namespace ft::utf8 {

char32_t decode(std::string_view text, size_t* length)
{
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = charLength(p[0]);
    *length = n;
    switch (n) {
    case 1:
        return p[0];
    case 2:
        return (char32_t(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3:
        return (char32_t(p[0] & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
        return (char32_t(p[0] & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6) |
               (p[3] & 0x3F);
    }
}

char32_t decodeBefore(std::string_view text, size_t end, size_t* length)
{
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    return decode(text.substr(start, end - start), length);
}

void append(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

namespace {

// Length of the valid UTF-8 sequence at bytes[i], or 0 when invalid; *consumed receives how many bytes
// the invalid prefix covers (Rust's Utf8Chunks rules, Unicode's "maximal subpart" practice).
size_t validSequence(std::string_view bytes, size_t i, size_t* consumed)
{
    const size_t n = bytes.size();
    auto at = [&](size_t k) -> unsigned { return k < n ? static_cast<unsigned char>(bytes[k]) : 0u; };
    const unsigned first = at(i);
    if (first < 0x80)
        return 1;
    auto continuation = [](unsigned b) { return (b & 0xC0) == 0x80; };
    if (first >= 0xC2 && first <= 0xDF) {
        if (continuation(at(i + 1)))
            return 2;
        *consumed = 1;
        return 0;
    }
    if (first >= 0xE0 && first <= 0xEF) {
        const unsigned second = at(i + 1);
        const bool ok = (first == 0xE0 && second >= 0xA0 && second <= 0xBF) ||
                        (first >= 0xE1 && first <= 0xEC && continuation(second)) ||
                        (first == 0xED && second >= 0x80 && second <= 0x9F) || (first >= 0xEE && continuation(second));
        if (!ok) {
            *consumed = 1;
            return 0;
        }
        if (!continuation(at(i + 2))) {
            *consumed = 2;
            return 0;
        }
        return 3;
    }
    if (first >= 0xF0 && first <= 0xF4) {
        const unsigned second = at(i + 1);
        const bool ok = (first == 0xF0 && second >= 0x90 && second <= 0xBF) ||
                        (first >= 0xF1 && first <= 0xF3 && continuation(second)) ||
                        (first == 0xF4 && second >= 0x80 && second <= 0x8F);
        if (!ok) {
            *consumed = 1;
            return 0;
        }
        if (!continuation(at(i + 2))) {
            *consumed = 2;
            return 0;
        }
        if (!continuation(at(i + 3))) {
            *consumed = 3;
            return 0;
        }
        return 4;
    }
    *consumed = 1;
    return 0;
}

} // namespace

bool isValid(std::string_view bytes)
{
    size_t i = 0;
    const size_t n = bytes.size();
    while (i < n) {
        // ASCII runs eight bytes at a time.
        while (i + 8 <= n) {
            uint64_t word;
            std::memcpy(&word, bytes.data() + i, 8);
            if (word & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        size_t consumed = 0;
        const size_t length = validSequence(bytes, i, &consumed);
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

std::string lossy(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    size_t i = 0;
    while (i < bytes.size()) {
        size_t consumed = 0;
        const size_t length = validSequence(bytes, i, &consumed);
        if (length) {
            out.append(bytes.data() + i, length);
            i += length;
        } else {
            out.append("\xEF\xBF\xBD");
            i += consumed;
        }
    }
    return out;
}

std::string sanitized(std::string_view bytes) { return isValid(bytes) ? std::string(bytes) : lossy(bytes); }

namespace {

std::string normalizedPiece(std::string_view text, QString::NormalizationForm form)
{
    // Fast paths: ASCII is invariant under every form; below U+0300 nothing composes or decomposes
    // canonically except through a later combining mark (which is >= U+0300), so NFC leaves it alone.
    char32_t highest = 0;
    for (size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        const char32_t c = decode(text.substr(i), &length);
        highest = std::max(highest, c);
        i += length;
        if (highest >= 0x300)
            break;
    }
    if (highest == 0 || (form == QString::NormalizationForm_C && highest < 0x300))
        return std::string(text);
    // Not QString::fromUtf8, which drops a leading U+FEFF (the text is not a file with a byte order mark).
    QStringDecoder decoder(QStringConverter::Utf8, QStringConverter::Flag::ConvertInitialBom);
    const QString decoded = decoder(QByteArrayView(text.data(), static_cast<qsizetype>(text.size())));
    const QByteArray bytes = decoded.normalized(form).toUtf8();
    return std::string(bytes.constData(), static_cast<size_t>(bytes.size()));
}

} // namespace

std::string normalized(std::string_view text, QString::NormalizationForm form)
{
    // QString::normalized edits the whole string for every character it decomposes or composes, so a
    // long text costs its length squared. Normalize it in pieces instead, each ending just before an
    // ASCII character: ASCII characters are starters (canonical combining class 0) that no
    // normalization form reorders across or composes with what precedes them, so every form gives the
    // same text piece by piece as whole.
    constexpr size_t kPieceBytes = 512;
    if (text.size() <= kPieceBytes)
        return normalizedPiece(text, form);
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    size_t begin = 0;
    while (begin < text.size()) {
        size_t end = std::min(text.size(), begin + kPieceBytes);
        while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80)
            ++end;
        out += normalizedPiece(text.substr(begin, end - begin), form);
        begin = end;
    }
    return out;
}

bool isWhiteSpace(char32_t c) { return QChar::isSpace(c); }

bool isNumeric(char32_t c) { return QChar::isNumber(c); }

} // namespace ft::utf8
