#pragma once
// The syntax of a prompt template's formats (data/prompt_template.h), parsed once for every reader of it:
// literal text, {placeholder}s, optional [[ ... ]] groups; "{{" and "}}" are literal braces.

#include <vector>

#include <QString>

namespace ft {

// One piece of a parsed format: literal text, a placeholder, or an optional [[ ]] group.
struct PromptFormatPiece {
    enum class Kind { Text, Placeholder, Optional } kind = Kind::Text;
    QString text; // literal text or placeholder name
    std::vector<PromptFormatPiece> children;
};

// Parses `format`; throws ft::Error naming `templateName` and the character where it is malformed.
std::vector<PromptFormatPiece> parsePromptFormat(const QString& format, const QString& templateName);

} // namespace ft
