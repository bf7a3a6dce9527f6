#include "chat/jinja_lexer.h"

#include "chat/jinja_error.h"
#include "chat/jinja_value.h"

#include <array>
#include <utility>
#include <vector>

namespace ft::jinja {

namespace {

// Text after preprocessing, with the original offset of every character (and one past the end).
struct MappedText {
    QString text;
    std::vector<int> offsets;

    void append(QChar c, int offset)
    {
        text += c;
        offsets.push_back(offset);
    }
    QChar at(qsizetype i) const { return i >= 0 && i < text.size() ? text.at(i) : QChar(); }
    int size() const { return int(text.size()); }
};

bool isLineTerminator(QChar c)
{
    return c == QLatin1Char('\n') || c == QLatin1Char('\r') || c.unicode() == 0x2028 || c.unicode() == 0x2029;
}

MappedText closeMap(MappedText mapped, int end)
{
    mapped.offsets.push_back(end);
    return mapped;
}

// template.replace(/^[ \t]*({[#%-])/gm, "$1")
MappedText lstripBlocks(const MappedText& in)
{
    MappedText out;
    for (int i = 0; i < in.size();) {
        if (i == 0 || isLineTerminator(in.at(i - 1))) {
            int j = i;
            while (in.at(j) == QLatin1Char(' ') || in.at(j) == QLatin1Char('\t'))
                ++j;
            const QChar next = in.at(j + 1);
            if (j > i && in.at(j) == QLatin1Char('{') &&
                (next == QLatin1Char('#') || next == QLatin1Char('%') || next == QLatin1Char('-')))
                i = j;
        }
        if (i < in.size()) {
            out.append(in.at(i), in.offsets[size_t(i)]);
            ++i;
        }
    }
    return closeMap(out, in.offsets.back());
}

// template.replace(/([#%-]})\n/g, "$1")
MappedText trimBlocks(const MappedText& in)
{
    MappedText out;
    for (int i = 0; i < in.size(); ++i) {
        const QChar mark = in.at(i - 2);
        if (in.at(i) == QLatin1Char('\n') && i >= 2 && in.at(i - 1) == QLatin1Char('}') &&
            (mark == QLatin1Char('#') || mark == QLatin1Char('%') || mark == QLatin1Char('-')))
            continue;
        out.append(in.at(i), in.offsets[size_t(i)]);
    }
    return closeMap(out, in.offsets.back());
}

// The end of a `{%-? (end)?generation -?%}` tag starting at `i`, or -1; the dashes in *left/*right.
int generationTagEnd(const MappedText& in, int i, bool* left, bool* right)
{
    if (in.at(i) != QLatin1Char('{') || in.at(i + 1) != QLatin1Char('%'))
        return -1;
    int j = i + 2;
    *left = in.at(j) == QLatin1Char('-');
    if (*left)
        ++j;
    while (j < in.size() && isJsSpace(in.at(j)))
        ++j;
    if (in.text.mid(j, 3) == QLatin1String("end"))
        j += 3;
    if (in.text.mid(j, 10) != QLatin1String("generation"))
        return -1;
    j += 10;
    while (j < in.size() && isJsSpace(in.at(j)))
        ++j;
    *right = in.at(j) == QLatin1Char('-');
    if (*right)
        ++j;
    if (in.at(j) != QLatin1Char('%') || in.at(j + 1) != QLatin1Char('}'))
        return -1;
    return j + 2;
}

// template.replace(/(\s*){%(-?)\s*(?:end)?generation\s*(-?)%}(\s*)/gs, ...): the marker goes, and
// the whitespace around it too where its dash says so.
MappedText removeGenerationTags(const MappedText& in)
{
    MappedText out;
    for (int i = 0; i < in.size();) {
        int tag = i;
        while (tag < in.size() && isJsSpace(in.at(tag)))
            ++tag;
        bool left = false, right = false;
        const int end = generationTagEnd(in, tag, &left, &right);
        if (end < 0) {
            const int stop = tag > i ? tag : i + 1;
            for (; i < stop; ++i)
                out.append(in.at(i), in.offsets[size_t(i)]);
            continue;
        }
        if (!left)
            for (int k = i; k < tag; ++k)
                out.append(in.at(k), in.offsets[size_t(k)]);
        int after = end;
        while (after < in.size() && isJsSpace(in.at(after)))
            ++after;
        if (!right)
            for (int k = end; k < after; ++k)
                out.append(in.at(k), in.offsets[size_t(k)]);
        i = after;
    }
    return closeMap(out, in.offsets.back());
}

MappedText preprocess(const QString& source)
{
    MappedText mapped;
    const int length = int(source.endsWith(QLatin1Char('\n')) ? source.size() - 1 : source.size());
    for (int i = 0; i < length; ++i)
        mapped.append(source.at(i), i);
    mapped = closeMap(mapped, length);
    return removeGenerationTags(trimBlocks(lstripBlocks(mapped)));
}

const std::array<std::pair<const char*, TokenType>, 29> kSymbols{{
    {"{%", TokenType::OpenStatement},
    {"%}", TokenType::CloseStatement},
    {"{{", TokenType::OpenExpression},
    {"}}", TokenType::CloseExpression},
    {"(", TokenType::OpenParen},
    {")", TokenType::CloseParen},
    {"{", TokenType::OpenCurlyBracket},
    {"}", TokenType::CloseCurlyBracket},
    {"[", TokenType::OpenSquareBracket},
    {"]", TokenType::CloseSquareBracket},
    {",", TokenType::Comma},
    {".", TokenType::Dot},
    {":", TokenType::Colon},
    {"|", TokenType::Pipe},
    {"<=", TokenType::ComparisonBinaryOperator},
    {">=", TokenType::ComparisonBinaryOperator},
    {"==", TokenType::ComparisonBinaryOperator},
    {"!=", TokenType::ComparisonBinaryOperator},
    {"<", TokenType::ComparisonBinaryOperator},
    {">", TokenType::ComparisonBinaryOperator},
    {"+", TokenType::AdditiveBinaryOperator},
    {"-", TokenType::AdditiveBinaryOperator},
    {"~", TokenType::AdditiveBinaryOperator},
    {"**", TokenType::ExponentiationBinaryOperator},
    {"*", TokenType::MultiplicativeBinaryOperator},
    {"//", TokenType::MultiplicativeBinaryOperator},
    {"/", TokenType::MultiplicativeBinaryOperator},
    {"%", TokenType::MultiplicativeBinaryOperator},
    {"=", TokenType::Equals},
}};

bool isDigit(QChar c) { return c.unicode() >= '0' && c.unicode() <= '9'; }
bool isWordChar(QChar c) { return isDigit(c) || c == QLatin1Char('_') || (c.unicode() < 128 && c.isLetter()); }

class Lexer {
public:
    Lexer(const QString& source, const QString& origin)
        : source_(source)
        , origin_(origin)
        , src_(preprocess(source))
    {
    }

    QList<Token> run();

private:
    [[noreturn]] void fail(int at, const QString& what) const
    {
        throwAt(origin_, source_, src_.offsets[size_t(qBound(0, at, src_.size()))], what);
    }
    QChar at(int i) const { return src_.at(i); }
    bool startsWith(const char* text) const { return QStringView(src_.text).mid(cur_).startsWith(QLatin1String(text)); }
    void push(TokenType type, const QString& value, int start) { tokens_.append({type, value, src_.offsets[size_t(start)]}); }
    TokenType lastType() const { return tokens_.isEmpty() ? TokenType(-1) : tokens_.last().type; }

    template <typename Predicate> QString consumeWhile(Predicate predicate, int start);
    void stripTrailingWhitespace();
    void skipLeadingWhitespace();
    bool lexComment();
    bool lexSign(QChar c);

    const QString& source_;
    QString origin_;
    MappedText src_;
    QList<Token> tokens_;
    int cur_ = 0;
    int curlyDepth_ = 0;
};

template <typename Predicate> QString Lexer::consumeWhile(Predicate predicate, int start)
{
    QString str;
    while (cur_ < src_.size() && predicate(at(cur_))) {
        if (at(cur_) == QLatin1Char('\\')) {
            ++cur_;
            if (cur_ >= src_.size())
                fail(start, QStringLiteral("unexpected end of the template in a string"));
            const QChar escaped = at(cur_++);
            if (escaped == QLatin1Char('x') || escaped == QLatin1Char('u')) {
                const int length = escaped == QLatin1Char('x') ? 2 : 4;
                const QString hex = src_.text.mid(cur_, length);
                bool ok = hex.size() == length;
                for (const QChar h : hex)
                    ok = ok && (isDigit(h) || (h.toLower() >= QLatin1Char('a') && h.toLower() <= QLatin1Char('f')));
                if (!ok)
                    fail(cur_ - 2, QStringLiteral("invalid hexadecimal escape sequence \\%1%2").arg(escaped).arg(hex));
                str += QChar(char16_t(hex.toUInt(nullptr, 16)));
                cur_ += length;
                continue;
            }
            static const QString from = QStringLiteral("ntrbfv'\"\\");
            static const QString to = QStringLiteral("\n\t\r\b\f\v'\"\\");
            const qsizetype k = from.indexOf(escaped);
            if (k < 0)
                fail(cur_ - 2, QStringLiteral("unexpected escaped character '\\%1'").arg(escaped));
            str += to.at(k);
            continue;
        }
        str += at(cur_++);
        if (cur_ >= src_.size())
            fail(start, QStringLiteral("unexpected end of the template (a tag or string is not closed)"));
    }
    return str;
}

void Lexer::stripTrailingWhitespace()
{
    if (!tokens_.isEmpty() && tokens_.last().type == TokenType::Text) {
        tokens_.last().value = jsTrimEnd(tokens_.last().value);
        if (tokens_.last().value.isEmpty())
            tokens_.removeLast();
    }
}

void Lexer::skipLeadingWhitespace()
{
    while (cur_ < src_.size() && isJsSpace(at(cur_)))
        ++cur_;
}

bool Lexer::lexComment()
{
    const int start = cur_;
    cur_ += 2;
    const bool stripBefore = at(cur_) == QLatin1Char('-');
    if (stripBefore)
        ++cur_;
    QString comment;
    while (at(cur_) != QLatin1Char('#') || at(cur_ + 1) != QLatin1Char('}')) {
        if (cur_ + 2 >= src_.size())
            fail(start, QStringLiteral("the comment is not closed (no '#}')"));
        comment += at(cur_++);
    }
    const bool stripAfter = comment.endsWith(QLatin1Char('-'));
    if (stripAfter)
        comment.chop(1);
    if (stripBefore)
        stripTrailingWhitespace();
    push(TokenType::Comment, comment, start);
    cur_ += 2;
    if (stripAfter)
        skipLeadingWhitespace();
    return true;
}

// A '-' or '+' after an operator, '(' or ',' starts a negative number or a unary sign.
bool Lexer::lexSign(QChar c)
{
    switch (lastType()) {
    case TokenType::Identifier:
    case TokenType::NumericLiteral:
    case TokenType::StringLiteral:
    case TokenType::CloseParen:
    case TokenType::CloseSquareBracket: return false;
    default: break;
    }
    const int start = cur_++;
    QString num = consumeWhile(isDigit, start);
    if (!num.isEmpty() && at(cur_) == QLatin1Char('.') && isDigit(at(cur_ + 1))) {
        ++cur_;
        num += QLatin1Char('.') + consumeWhile(isDigit, start);
    }
    push(num.isEmpty() ? TokenType::UnaryOperator : TokenType::NumericLiteral, c + num, start);
    return true;
}

QList<Token> Lexer::run()
{
    while (cur_ < src_.size()) {
        const TokenType last = lastType();
        if (tokens_.isEmpty() || last == TokenType::CloseStatement || last == TokenType::CloseExpression ||
            last == TokenType::Comment) {
            const int start = cur_;
            QString text;
            while (cur_ < src_.size() && !(at(cur_) == QLatin1Char('{') &&
                                           (at(cur_ + 1) == QLatin1Char('%') || at(cur_ + 1) == QLatin1Char('{') ||
                                            at(cur_ + 1) == QLatin1Char('#'))))
                text += at(cur_++);
            if (!text.isEmpty()) {
                push(TokenType::Text, text, start);
                continue;
            }
        }
        if (at(cur_) == QLatin1Char('{') && at(cur_ + 1) == QLatin1Char('#')) {
            lexComment();
            continue;
        }
        if (startsWith("{%-")) {
            stripTrailingWhitespace();
            push(TokenType::OpenStatement, QStringLiteral("{%"), cur_);
            cur_ += 3;
            continue;
        }
        if (startsWith("{{-")) {
            stripTrailingWhitespace();
            push(TokenType::OpenExpression, QStringLiteral("{{"), cur_);
            curlyDepth_ = 0;
            cur_ += 3;
            continue;
        }
        consumeWhile(isJsSpace, cur_);
        if (startsWith("-%}")) {
            push(TokenType::CloseStatement, QStringLiteral("%}"), cur_);
            cur_ += 3;
            skipLeadingWhitespace();
            continue;
        }
        if (startsWith("-}}")) {
            push(TokenType::CloseExpression, QStringLiteral("}}"), cur_);
            cur_ += 3;
            skipLeadingWhitespace();
            continue;
        }
        const QChar c = at(cur_);
        if ((c == QLatin1Char('-') || c == QLatin1Char('+'))) {
            if (tokens_.isEmpty() || last == TokenType::Text)
                fail(cur_, QStringLiteral("unexpected character '%1'").arg(c));
            if (lexSign(c))
                continue;
        }
        bool matched = false;
        for (const auto& [symbol, type] : kSymbols) {
            if (type == TokenType::CloseExpression && curlyDepth_ > 0)
                continue;
            if (!startsWith(symbol))
                continue;
            push(type, QString::fromLatin1(symbol), cur_);
            if (type == TokenType::OpenExpression)
                curlyDepth_ = 0;
            else if (type == TokenType::OpenCurlyBracket)
                ++curlyDepth_;
            else if (type == TokenType::CloseCurlyBracket)
                --curlyDepth_;
            cur_ += int(qstrlen(symbol));
            matched = true;
            break;
        }
        if (matched)
            continue;
        const int start = cur_;
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            ++cur_;
            const QString str = consumeWhile([c](QChar x) { return x != c; }, start);
            if (cur_ >= src_.size())
                fail(start, QStringLiteral("the string is not closed"));
            push(TokenType::StringLiteral, str, start);
            ++cur_;
            continue;
        }
        if (isDigit(c)) {
            QString num = consumeWhile(isDigit, start);
            if (lastType() != TokenType::Dot && at(cur_) == QLatin1Char('.') && isDigit(at(cur_ + 1))) {
                ++cur_;
                num += QLatin1Char('.') + consumeWhile(isDigit, start);
            }
            push(TokenType::NumericLiteral, num, start);
            continue;
        }
        if (isWordChar(c)) {
            push(TokenType::Identifier, consumeWhile(isWordChar, start), start);
            continue;
        }
        fail(cur_, QStringLiteral("unexpected character '%1'").arg(c));
    }
    return tokens_;
}

} // namespace

QList<Token> tokenize(const QString& source, const QString& origin) { return Lexer(source, origin).run(); }

QString describeToken(const Token& token)
{
    switch (token.type) {
    case TokenType::Text: return QStringLiteral("text");
    case TokenType::Comment: return QStringLiteral("a comment");
    case TokenType::StringLiteral: return QStringLiteral("the string '%1'").arg(token.value.left(40));
    default: return QLatin1Char('\'') + token.value + QLatin1Char('\'');
    }
}

} // namespace ft::jinja
