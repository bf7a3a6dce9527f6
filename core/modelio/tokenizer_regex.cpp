#include "modelio/tokenizer_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <stdexcept>

#include <QString>

#include "common/error.h"
#include "modelio/utf8_text.h"

namespace ft {

namespace {

// UTS #18 word characters: what Oniguruma's and Rust's Unicode \w match.
constexpr const char* kWordClass = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}";
constexpr const char* kHexClass = "0-9A-Fa-f";

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

[[noreturn]] void refuse(const std::string& pattern, const std::string& why)
{
    throw std::invalid_argument("regex \"" + pattern + "\": " + why);
}

std::string pcre2Message(int code)
{
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    return reinterpret_cast<const char*>(buffer);
}

pcre2_code* compilePcre2(const std::string& source, const std::string& pattern, uint32_t options)
{
    pcre2_compile_context* context = pcre2_compile_context_create(nullptr);
    pcre2_set_newline(context, PCRE2_NEWLINE_LF);
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     options | PCRE2_UTF | PCRE2_UCP, &errorCode, &errorOffset, context);
    pcre2_compile_context_free(context);
    if (!code)
        refuse(source, pcre2Message(errorCode) + " at offset " + std::to_string(errorOffset));
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // without JIT (unsupported CPU) the interpreter runs it
    return code;
}

} // namespace

std::string translateOnigurumaPattern(const std::string& pattern)
{
    std::string out;
    out.reserve(pattern.size() + 32);
    bool inClass = false;
    size_t classStart = 0; // index just after '[' (and '^'), where ']' is literal
    const size_t n = pattern.size();
    for (size_t i = 0; i < n;) {
        const char c = pattern[i];
        if (c == '\\') {
            if (i + 1 >= n)
                refuse(pattern, "ends with a lone backslash");
            const char d = pattern[i + 1];
            i += 2;
            switch (d) {
            case 's':
                out += "\\p{White_Space}";
                break;
            case 'S':
                out += "\\P{White_Space}";
                break;
            case 'w':
                out += inClass ? std::string(kWordClass) : "[" + std::string(kWordClass) + "]";
                break;
            case 'W':
                if (inClass)
                    refuse(pattern, "\\W inside a character class is not supported");
                out += "[^" + std::string(kWordClass) + "]";
                break;
            case 'h':
                out += inClass ? std::string(kHexClass) : "[" + std::string(kHexClass) + "]";
                break;
            case 'H':
                if (inClass)
                    refuse(pattern, "\\H inside a character class is not supported");
                out += "[^" + std::string(kHexClass) + "]";
                break;
            case 'u':
                if (i + 4 <= n && isHex(pattern[i]) && isHex(pattern[i + 1]) && isHex(pattern[i + 2]) &&
                    isHex(pattern[i + 3])) {
                    out += "\\x{" + pattern.substr(i, 4) + "}";
                    i += 4;
                } else {
                    refuse(pattern, "\\u needs four hex digits");
                }
                break;
            default:
                out += '\\';
                out += d;
            }
            continue;
        }
        if (inClass) {
            if (c == '[') {
                if (i + 1 < n && pattern[i + 1] == ':') { // POSIX bracket [:alpha:]
                    const size_t close = pattern.find(":]", i + 2);
                    if (close == std::string::npos)
                        refuse(pattern, "unterminated POSIX class");
                    out += pattern.substr(i, close + 2 - i);
                    i = close + 2;
                    continue;
                }
                refuse(pattern, "nested character classes are not supported");
            }
            if (c == '&' && i + 1 < n && pattern[i + 1] == '&')
                refuse(pattern, "character class intersection (&&) is not supported");
            if (c == ']' && i != classStart)
                inClass = false;
            out += c;
            ++i;
            continue;
        }
        if (c == '[') {
            inClass = true;
            out += c;
            ++i;
            if (i < n && pattern[i] == '^') {
                out += '^';
                ++i;
            }
            classStart = i;
            continue;
        }
        if (c == '(' && i + 2 < n && pattern[i + 1] == '?') {
            // Inline options: (?imx-imx) or (?imx-imx:...). Oniguruma's m is PCRE2's s (dot-all).
            size_t j = i + 2;
            std::string flags;
            while (j < n && (pattern[j] == 'i' || pattern[j] == 'm' || pattern[j] == 'x' || pattern[j] == '-')) {
                flags += pattern[j] == 'm' ? 's' : pattern[j];
                ++j;
            }
            if (!flags.empty() || (j < n && std::isalpha(static_cast<unsigned char>(pattern[j])))) {
                if (j >= n || (pattern[j] != ':' && pattern[j] != ')'))
                    refuse(pattern, "unsupported inline option group");
                out += "(?" + flags;
                i = j;
                continue;
            }
        }
        out += c;
        ++i;
    }
    if (inClass)
        refuse(pattern, "unterminated character class");
    return out;
}

RegexMatchData::RegexMatchData()
    : m_data(pcre2_match_data_create(1, nullptr))
{
}

RegexMatchData::~RegexMatchData() { pcre2_match_data_free(m_data); }

TokenizerRegex::~TokenizerRegex() { pcre2_code_free(m_code); }

std::unique_ptr<TokenizerRegex> TokenizerRegex::fromOniguruma(const std::string& pattern)
{
    std::unique_ptr<TokenizerRegex> regex(new TokenizerRegex);
    regex->m_source = pattern;
    regex->m_code = compilePcre2(pattern, translateOnigurumaPattern(pattern), PCRE2_MULTILINE);
    return regex;
}

std::unique_ptr<TokenizerRegex> TokenizerRegex::fromLiteral(const std::string& text)
{
    std::unique_ptr<TokenizerRegex> regex(new TokenizerRegex);
    regex->m_source = text;
    if (text.empty())
        regex->m_code = compilePcre2(text, text, 0); // matches the empty string everywhere, as Oniguruma does
    else
        regex->m_literal = text;
    return regex;
}

std::unique_ptr<TokenizerRegex> TokenizerRegex::fromPcre2(const std::string& pattern)
{
    std::unique_ptr<TokenizerRegex> regex(new TokenizerRegex);
    regex->m_source = pattern;
    regex->m_code = compilePcre2(pattern, pattern, 0);
    return regex;
}

bool TokenizerRegex::search(std::string_view text, size_t start, uint32_t options, RegexMatchData& data,
                            TextSpan* span) const
{
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = pcre2_match(m_code, subject, text.size(), start, options | PCRE2_NO_UTF_CHECK, data.get(), nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) // deep backtracking: the interpreter keeps its frames on the heap
        rc = pcre2_match(m_code, subject, text.size(), start, options | PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, data.get(),
                         nullptr);
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    if (rc < 0)
        throw Error(QStringLiteral("tokenizer regex \"%1\" failed on a %2-byte text: %3")
                        .arg(QString::fromStdString(m_source))
                        .arg(text.size())
                        .arg(QString::fromStdString(pcre2Message(rc))));
    const PCRE2_SIZE* vector = pcre2_get_ovector_pointer(data.get());
    span->begin = vector[0];
    span->end = vector[1];
    return true;
}

void TokenizerRegex::findAll(std::string_view text, RegexMatchData& data, std::vector<TextSpan>& out) const
{
    if (!m_literal.empty()) {
        for (size_t at = text.find(m_literal); at != std::string_view::npos; at = text.find(m_literal, at)) {
            out.push_back({at, at + m_literal.size()});
            at += m_literal.size();
        }
        return;
    }
    // rust-onig's FindMatches: search from the end of the previous match; an empty match right at that
    // end is skipped by advancing one character.
    size_t lastEnd = 0;
    bool haveLast = false;
    size_t lastMatchEnd = 0;
    while (lastEnd <= text.size()) {
        TextSpan span;
        if (!search(text, lastEnd, 0, data, &span))
            break;
        if (span.begin == span.end && haveLast && lastMatchEnd == span.end) {
            lastEnd += lastEnd < text.size() ? utf8::charLength(static_cast<unsigned char>(text[lastEnd])) : 1;
            continue;
        }
        lastEnd = span.end;
        lastMatchEnd = span.end;
        haveLast = true;
        out.push_back(span);
    }
}

bool TokenizerRegex::matchesAtStart(std::string_view text, RegexMatchData& data) const
{
    if (!m_literal.empty())
        return text.substr(0, m_literal.size()) == m_literal;
    TextSpan span;
    return search(text, 0, PCRE2_ANCHORED, data, &span);
}

} // namespace ft
