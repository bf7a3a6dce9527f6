#pragma once
// The regular expressions of a tokenizer.json (Split and Replace patterns, ByteLevel's GPT-2
// regex). Hugging Face compiles them with Oniguruma; here PCRE2 runs them (8-bit UTF mode with
// Unicode properties, JIT-compiled), after a translation of the few constructs whose meaning differs:
// \s is Unicode White_Space, \w is UTS #18 word characters, \h a hex digit, (?m) means dot-all, and
// ^ $ are line anchors, as in Oniguruma. Constructs PCRE2 cannot express (nested classes, class
// intersections, \W inside a class) are refused. Matches are enumerated as rust-onig's find_iter
// does (an empty match right after the previous match is skipped by one character).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;

namespace ft {

struct TextSpan {
    size_t begin = 0;
    size_t end = 0;
};

// Per-call match state (PCRE2 match data): one per encode call, never shared between threads.
class RegexMatchData {
public:
    RegexMatchData();
    ~RegexMatchData();
    RegexMatchData(const RegexMatchData&) = delete;
    RegexMatchData& operator=(const RegexMatchData&) = delete;
    pcre2_real_match_data_8* get() const { return m_data; }

private:
    pcre2_real_match_data_8* m_data = nullptr;
};

class TokenizerRegex {
public:
    // Each throws std::invalid_argument with the reason when the pattern cannot be used.
    static std::unique_ptr<TokenizerRegex> fromOniguruma(const std::string& pattern);
    static std::unique_ptr<TokenizerRegex> fromLiteral(const std::string& text);
    static std::unique_ptr<TokenizerRegex> fromPcre2(const std::string& pattern);
    ~TokenizerRegex();
    TokenizerRegex(const TokenizerRegex&) = delete;
    TokenizerRegex& operator=(const TokenizerRegex&) = delete;

    // Appends the non-overlapping matches in `text` (valid UTF-8), in order.
    void findAll(std::string_view text, RegexMatchData& data, std::vector<TextSpan>& out) const;
    // Whether the pattern matches at the very start of `text`.
    bool matchesAtStart(std::string_view text, RegexMatchData& data) const;

    const std::string& source() const { return m_source; }

private:
    TokenizerRegex() = default;
    bool search(std::string_view text, size_t start, uint32_t options, RegexMatchData& data, TextSpan* span) const;

    std::string m_source;
    std::string m_literal; // non-empty: a plain substring search
    pcre2_real_code_8* m_code = nullptr;
};

// The PCRE2 pattern with Oniguruma's meaning; throws std::invalid_argument.
std::string translateOnigurumaPattern(const std::string& pattern);

} // namespace ft
