#include "data/prompt_format.h"

#include "common/error.h"

namespace ft {

namespace {

std::vector<PromptFormatPiece> parseFormat(const QString& format, const QString& templateName, int& pos, bool nested)
{
    std::vector<PromptFormatPiece> pieces;
    QString literal;
    auto flush = [&] {
        if (!literal.isEmpty())
            pieces.push_back({PromptFormatPiece::Kind::Text, literal, {}});
        literal.clear();
    };
    while (pos < format.size()) {
        if (format.mid(pos, 2) == QLatin1String("{{") || format.mid(pos, 2) == QLatin1String("}}")) {
            literal += format[pos];
            pos += 2;
        } else if (format.mid(pos, 2) == QLatin1String("[[")) {
            flush();
            pos += 2;
            PromptFormatPiece group{
                PromptFormatPiece::Kind::Optional, {}, parseFormat(format, templateName, pos, true)};
            pieces.push_back(std::move(group));
        } else if (format.mid(pos, 2) == QLatin1String("]]")) {
            if (!nested)
                throw Error(QStringLiteral("template %1: \"]]\" at character %2 closes no \"[[\"")
                                .arg(templateName)
                                .arg(pos + 1));
            pos += 2;
            flush();
            return pieces;
        } else if (format[pos] == QLatin1Char('{')) {
            const int end = format.indexOf(QLatin1Char('}'), pos);
            if (end < 0)
                throw Error(
                    QStringLiteral("template %1: \"{\" at character %2 is never closed (write {{ for a literal brace)")
                        .arg(templateName)
                        .arg(pos + 1));
            flush();
            pieces.push_back({PromptFormatPiece::Kind::Placeholder, format.mid(pos + 1, end - pos - 1), {}});
            pos = end + 1;
        } else {
            literal += format[pos++];
        }
    }
    if (nested)
        throw Error(QStringLiteral("template %1: a \"[[\" is never closed with \"]]\"").arg(templateName));
    flush();
    return pieces;
}

} // namespace

std::vector<PromptFormatPiece> parsePromptFormat(const QString& format, const QString& templateName)
{
    int pos = 0;
    return parseFormat(format, templateName, pos, false);
}

} // namespace ft
