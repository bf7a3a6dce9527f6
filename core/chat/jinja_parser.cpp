#include "chat/jinja_parser.h"

#include <cmath>

#include "chat/jinja_builtins.h"
#include "chat/jinja_error.h"

#include <QSet>
#include <QStringList>

#include <vector>

namespace ft::jinja {

namespace {

class Parser {
public:
    Parser(const QString& source, const QString& origin)
        : source_(source)
        , origin_(origin)
        , tokens_(tokenize(source, origin))
    {
    }

    NodePtr program()
    {
        NodePtr root = makeNode(NodeKind::Program, 0);
        while (cur_ < tokens_.size())
            root->body.push_back(parseAny());
        return root;
    }

private:
    // ---- helpers ------------------------------------------------------------------------------

    [[noreturn]] void fail(int offset, const QString& what) const { throwAt(origin_, source_, offset, what); }
    [[noreturn]] void failHere(const QString& what) const
    {
        if (cur_ >= tokens_.size())
            fail(int(source_.size()), QStringLiteral("unexpected end of the template: %1").arg(what));
        fail(tokens_[cur_].offset, QStringLiteral("%1, found %2").arg(what, describeToken(tokens_[cur_])));
    }
    bool is(TokenType type) const { return cur_ < tokens_.size() && tokens_[cur_].type == type; }
    bool isIdentifier(const char* name, int ahead = 0) const
    {
        const qsizetype i = cur_ + ahead;
        return i < tokens_.size() && tokens_[i].type == TokenType::Identifier &&
               tokens_[i].value == QLatin1String(name);
    }
    bool isStatement(std::initializer_list<const char*> names) const
    {
        if (!is(TokenType::OpenStatement) || cur_ + 1 >= tokens_.size() ||
            tokens_[cur_ + 1].type != TokenType::Identifier)
            return false;
        for (const char* name : names)
            if (tokens_[cur_ + 1].value == QLatin1String(name))
                return true;
        return false;
    }
    const Token& expect(TokenType type, const char* what)
    {
        if (!is(type))
            failHere(QStringLiteral("expected %1").arg(QLatin1String(what)));
        return tokens_[cur_++];
    }
    void expectIdentifier(const char* name)
    {
        if (!isIdentifier(name))
            failHere(QStringLiteral("expected '%1'").arg(QLatin1String(name)));
        ++cur_;
    }
    // The blocks being parsed, innermost last, for errors on a closing tag of the wrong block.
    struct OpenBlock {
        const char* opener;
        int offset;
        QStringList expected; // the tags that may come next: "'{% endif %}'"
    };
    std::vector<OpenBlock> openBlocks_;

    int offsetHere() const { return cur_ < tokens_.size() ? tokens_[cur_].offset : int(source_.size()); }

    // Parses nodes until one of `names` opens a statement; `opener` names the block for errors.
    void parseBlockUntil(NodeList& into, std::initializer_list<const char*> names, int openerOffset, const char* opener)
    {
        QStringList expected;
        for (const char* name : names)
            expected << QStringLiteral("'{% %1 %}'").arg(QLatin1String(name));
        openBlocks_.push_back({opener, openerOffset, expected});
        while (!isStatement(names)) {
            if (cur_ >= tokens_.size()) {
                const SourcePosition p = positionOf(source_, openerOffset);
                fail(int(source_.size()),
                     QStringLiteral("unexpected end of the template: the '{% %1 %}' at line %2 is not closed (expected "
                                    "'{% %3 %}')")
                         .arg(QLatin1String(opener))
                         .arg(p.line)
                         .arg(QLatin1String(*std::prev(names.end()))));
            }
            into.push_back(parseAny());
        }
        openBlocks_.pop_back();
    }
    void closeBlock(const char* endName)
    {
        expect(TokenType::OpenStatement, "'{%'");
        expectIdentifier(endName);
        expect(TokenType::CloseStatement, "'%}'");
    }

    // ---- statements ---------------------------------------------------------------------------

    NodePtr parseAny()
    {
        const Token& token = tokens_[cur_];
        switch (token.type) {
        case TokenType::Comment: {
            ++cur_;
            return makeNode(NodeKind::Comment, token.offset);
        }
        case TokenType::Text: {
            NodePtr text = makeNode(NodeKind::StringLiteral, token.offset);
            text->text = token.value;
            ++cur_;
            return text;
        }
        case TokenType::OpenStatement: return parseStatement();
        case TokenType::OpenExpression: {
            ++cur_;
            NodePtr expression = parseExpression();
            expect(TokenType::CloseExpression, "'}}'");
            return expression;
        }
        default: failHere(QStringLiteral("expected text, '{{' or '{%'"));
        }
    }

    NodePtr parseStatement()
    {
        const int start = tokens_[cur_].offset;
        ++cur_;
        if (!is(TokenType::Identifier))
            failHere(QStringLiteral("expected a statement name after '{%'"));
        const QString name = tokens_[cur_].value;
        const int nameOffset = tokens_[cur_].offset;
        ++cur_;
        if (name == QLatin1String("set"))
            return parseSet(start);
        if (name == QLatin1String("if")) {
            NodePtr node = parseIf(start);
            closeBlock("endif");
            return node;
        }
        if (name == QLatin1String("for")) {
            NodePtr node = parseFor(start);
            closeBlock("endfor");
            return node;
        }
        if (name == QLatin1String("macro")) {
            NodePtr node = makeNode(NodeKind::Macro, start);
            NodePtr macroName = parsePrimary();
            if (macroName->kind != NodeKind::Identifier)
                fail(macroName->offset, QStringLiteral("expected the macro's name after 'macro'"));
            node->text = macroName->text;
            parseArgs(node->args, true);
            expect(TokenType::CloseStatement, "'%}'");
            parseBlockUntil(node->body, {"endmacro"}, start, "macro");
            closeBlock("endmacro");
            return node;
        }
        if (name == QLatin1String("call"))
            return parseCallBlock(start);
        if (name == QLatin1String("filter")) {
            NodePtr node = makeNode(NodeKind::FilterBlock, start);
            node->b = parsePrimary();
            if (node->b->kind != NodeKind::Identifier)
                fail(node->b->offset, QStringLiteral("expected a filter name after 'filter'"));
            checkFilterName(*node->b);
            if (is(TokenType::OpenParen))
                node->b = parseCall(std::move(node->b));
            expect(TokenType::CloseStatement, "'%}'");
            parseBlockUntil(node->body, {"endfilter"}, start, "filter");
            closeBlock("endfilter");
            return node;
        }
        if (name == QLatin1String("break") || name == QLatin1String("continue")) {
            expect(TokenType::CloseStatement, "'%}'");
            return makeNode(name == QLatin1String("break") ? NodeKind::Break : NodeKind::Continue, start);
        }
        static const QSet<QString> closers{QStringLiteral("endif"),   QStringLiteral("endfor"),
                                           QStringLiteral("endset"),  QStringLiteral("endmacro"),
                                           QStringLiteral("endcall"), QStringLiteral("endfilter"),
                                           QStringLiteral("else"),    QStringLiteral("elif")};
        if (closers.contains(name) && !openBlocks_.empty()) {
            const OpenBlock& open = openBlocks_.back();
            QStringList expected = open.expected;
            const QString last = expected.takeLast();
            fail(nameOffset, QStringLiteral("'{% %1 %}' does not belong to the '{% %2 %}' at line %3 (expected %4)")
                                 .arg(name, QLatin1String(open.opener))
                                 .arg(positionOf(source_, open.offset).line)
                                 .arg(expected.isEmpty() ? last
                                                         : expected.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last));
        }
        if (closers.contains(name))
            fail(nameOffset, QStringLiteral("'{% %1 %}' without an open block that it belongs to").arg(name));
        fail(nameOffset, QStringLiteral("unknown statement '%1' (supported: if, for, set, macro, call, filter, break, "
                                        "continue)")
                             .arg(name));
    }

    NodePtr parseSet(int start)
    {
        NodePtr node = makeNode(NodeKind::Set, start);
        node->a = parseExpressionSequence(false);
        if (is(TokenType::Equals)) {
            ++cur_;
            node->b = parseExpressionSequence(false);
        } else {
            expect(TokenType::CloseStatement, "'=' or '%}'");
            parseBlockUntil(node->body, {"endset"}, start, "set");
            expect(TokenType::OpenStatement, "'{%'");
            expectIdentifier("endset");
        }
        expect(TokenType::CloseStatement, "'%}'");
        return node;
    }

    // An `elif` is an If in the alternate of the one before; errors name the `if` that opened the
    // chain (`opener`, the offset of its tag).
    NodePtr parseIf(int start, int opener = -1)
    {
        if (opener < 0)
            opener = start;
        NodePtr node = makeNode(NodeKind::If, start);
        node->a = parseExpression();
        expect(TokenType::CloseStatement, "'%}'");
        parseBlockUntil(node->body, {"elif", "else", "endif"}, opener, "if");
        if (isStatement({"elif"})) {
            const int elif = tokens_[cur_].offset;
            cur_ += 2;
            node->alternate.push_back(parseIf(elif, opener));
        } else if (isStatement({"else"})) {
            cur_ += 2;
            expect(TokenType::CloseStatement, "'%}'");
            parseBlockUntil(node->alternate, {"endif"}, opener, "if");
        }
        return node;
    }

    NodePtr parseFor(int start)
    {
        NodePtr node = makeNode(NodeKind::For, start);
        node->a = parseExpressionSequence(true);
        if (node->a->kind != NodeKind::Identifier && node->a->kind != NodeKind::TupleLiteral)
            fail(node->a->offset, QStringLiteral("expected a name or names for the loop variable"));
        if (!isIdentifier("in"))
            failHere(QStringLiteral("expected 'in' after the loop variable"));
        ++cur_;
        node->b = parseExpression();
        expect(TokenType::CloseStatement, "'%}'");
        parseBlockUntil(node->body, {"else", "endfor"}, start, "for");
        if (isStatement({"else"})) {
            cur_ += 2;
            expect(TokenType::CloseStatement, "'%}'");
            parseBlockUntil(node->alternate, {"endfor"}, start, "for");
        }
        return node;
    }

    NodePtr parseCallBlock(int start)
    {
        NodePtr node = makeNode(NodeKind::CallBlock, start);
        if (is(TokenType::OpenParen))
            parseArgs(node->args, true);
        NodePtr callee = parsePrimary();
        if (callee->kind != NodeKind::Identifier)
            fail(callee->offset, QStringLiteral("expected the name of a macro after 'call'"));
        NodePtr call = makeNode(NodeKind::Call, callee->offset);
        call->a = std::move(callee);
        parseArgs(call->args, false);
        node->a = std::move(call);
        expect(TokenType::CloseStatement, "'%}'");
        parseBlockUntil(node->body, {"endcall"}, start, "call");
        closeBlock("endcall");
        return node;
    }

    // ---- expressions --------------------------------------------------------------------------

    NodePtr parseExpressionSequence(bool primary)
    {
        const int start = offsetHere();
        NodePtr first = primary ? parsePrimary() : parseExpression();
        if (!is(TokenType::Comma))
            return first;
        NodePtr tuple = makeNode(NodeKind::TupleLiteral, start);
        tuple->args.push_back(std::move(first));
        while (is(TokenType::Comma)) {
            ++cur_;
            tuple->args.push_back(primary ? parsePrimary() : parseExpression());
        }
        return tuple;
    }

    NodePtr parseExpression()
    {
        NodePtr value = parseLogicalOr();
        if (!isIdentifier("if"))
            return value;
        const int at = tokens_[cur_++].offset;
        NodePtr condition = parseLogicalOr();
        if (isIdentifier("else")) {
            ++cur_;
            NodePtr ternary = makeNode(NodeKind::Ternary, at);
            ternary->a = std::move(condition);
            ternary->b = std::move(value);
            ternary->c = parseExpression();
            return ternary;
        }
        NodePtr select = makeNode(NodeKind::Select, at);
        select->a = std::move(value);
        select->b = std::move(condition);
        return select;
    }

    NodePtr binary(const Token& op, NodePtr left, NodePtr right, const QString& text)
    {
        NodePtr node = makeNode(NodeKind::Binary, op.offset);
        node->text = text;
        node->a = std::move(left);
        node->b = std::move(right);
        return node;
    }

    NodePtr parseLogicalOr()
    {
        NodePtr left = parseLogicalAnd();
        while (isIdentifier("or")) {
            const Token& op = tokens_[cur_++];
            left = binary(op, std::move(left), parseLogicalAnd(), op.value);
        }
        return left;
    }

    NodePtr parseLogicalAnd()
    {
        NodePtr left = parseLogicalNot();
        while (isIdentifier("and")) {
            const Token& op = tokens_[cur_++];
            left = binary(op, std::move(left), parseLogicalNot(), op.value);
        }
        return left;
    }

    NodePtr parseLogicalNot()
    {
        if (!isIdentifier("not"))
            return parseComparison();
        NodePtr node = makeNode(NodeKind::Unary, tokens_[cur_++].offset);
        node->text = QStringLiteral("not");
        node->a = parseLogicalNot();
        return node;
    }

    NodePtr parseComparison()
    {
        NodePtr left = parseAdditive();
        for (;;) {
            QString op;
            const qsizetype at = cur_;
            if (isIdentifier("not") && isIdentifier("in", 1)) {
                op = QStringLiteral("not in");
                cur_ += 2;
            } else if (isIdentifier("in") || is(TokenType::ComparisonBinaryOperator)) {
                op = tokens_[cur_++].value;
            } else {
                return left;
            }
            left = binary(tokens_[at], std::move(left), parseAdditive(), op);
        }
    }

    NodePtr parseAdditive()
    {
        NodePtr left = parseMultiplicative();
        while (is(TokenType::AdditiveBinaryOperator)) {
            const Token& op = tokens_[cur_++];
            left = binary(op, std::move(left), parseMultiplicative(), op.value);
        }
        return left;
    }

    NodePtr parseMultiplicative()
    {
        NodePtr left = parsePower();
        while (is(TokenType::MultiplicativeBinaryOperator)) {
            const Token& op = tokens_[cur_++];
            left = binary(op, std::move(left), parsePower(), op.value);
        }
        return left;
    }

    NodePtr parsePower()
    {
        NodePtr left = parseTest();
        while (is(TokenType::ExponentiationBinaryOperator)) {
            const Token& op = tokens_[cur_++];
            left = binary(op, std::move(left), parseTest(), op.value);
        }
        return left;
    }

    // An argument written after a test's name without parentheses (`x is divisibleby 3`), as Jinja allows.
    bool startsTestArgument() const
    {
        if (cur_ >= tokens_.size())
            return false;
        const Token& t = tokens_[cur_];
        static const QSet<QString> keywords{QStringLiteral("and"), QStringLiteral("or"),  QStringLiteral("else"),
                                            QStringLiteral("if"),  QStringLiteral("in"),  QStringLiteral("is"),
                                            QStringLiteral("not")};
        switch (t.type) {
        case TokenType::StringLiteral:
        case TokenType::NumericLiteral:
        case TokenType::OpenSquareBracket:
        case TokenType::OpenCurlyBracket: return true;
        case TokenType::Identifier: return !keywords.contains(t.value);
        default: return false;
        }
    }

    NodePtr parseTest()
    {
        NodePtr operand = parseFilter();
        while (isIdentifier("is")) {
            NodePtr node = makeNode(NodeKind::Test, tokens_[cur_++].offset);
            node->flag = isIdentifier("not");
            if (node->flag)
                ++cur_;
            NodePtr name = parsePrimary();
            if (name->kind != NodeKind::Identifier)
                fail(name->offset, QStringLiteral("expected the name of a test after 'is'"));
            if (!isKnownTest(name->text))
                fail(name->offset, QStringLiteral("unknown test '%1'").arg(name->text));
            node->text = name->text;
            node->offset = name->offset;
            if (is(TokenType::OpenParen))
                parseArgs(node->args, false);
            else if (startsTestArgument())
                node->args.push_back(parseUnarySign());
            node->a = std::move(operand);
            operand = std::move(node);
        }
        return operand;
    }

    void checkFilterName(const Node& name) const
    {
        if (!isKnownFilter(name.text))
            fail(name.offset, QStringLiteral("unknown filter '%1'").arg(name.text));
    }

    NodePtr parseFilter()
    {
        NodePtr operand = parseUnarySign();
        while (is(TokenType::Pipe)) {
            ++cur_;
            NodePtr name = parsePrimary();
            if (name->kind != NodeKind::Identifier)
                fail(name->offset, QStringLiteral("expected the name of a filter after '|'"));
            checkFilterName(*name);
            NodePtr node = makeNode(NodeKind::Filter, name->offset);
            node->b = is(TokenType::OpenParen) ? parseCall(std::move(name)) : std::move(name);
            node->a = std::move(operand);
            operand = std::move(node);
        }
        return operand;
    }

    NodePtr parseUnarySign()
    {
        if (cur_ < tokens_.size() &&
            (is(TokenType::UnaryOperator) || is(TokenType::AdditiveBinaryOperator)) &&
            (tokens_[cur_].value == QLatin1String("-") || tokens_[cur_].value == QLatin1String("+"))) {
            NodePtr node = makeNode(NodeKind::Unary, tokens_[cur_].offset);
            node->text = tokens_[cur_++].value;
            node->a = parseUnarySign();
            return node;
        }
        NodePtr member = parseMember(parsePrimary());
        return is(TokenType::OpenParen) ? parseCall(std::move(member)) : std::move(member);
    }

    NodePtr parseCall(NodePtr callee)
    {
        NodePtr call = makeNode(NodeKind::Call, callee->offset);
        call->a = std::move(callee);
        parseArgs(call->args, false);
        NodePtr result = parseMember(std::move(call));
        return is(TokenType::OpenParen) ? parseCall(std::move(result)) : std::move(result);
    }

    void parseArgs(NodeList& into, bool parameters)
    {
        expect(TokenType::OpenParen, "'('");
        QSet<QString> names;
        bool sawKeyword = false, sawSpread = false;
        while (!is(TokenType::CloseParen)) {
            if (cur_ >= tokens_.size())
                failHere(QStringLiteral("expected ')'"));
            const int at = tokens_[cur_].offset;
            const bool keywordSpread = is(TokenType::ExponentiationBinaryOperator);
            const bool spread = is(TokenType::MultiplicativeBinaryOperator) && tokens_[cur_].value == QLatin1String("*");
            if (parameters && (keywordSpread || spread))
                fail(at, QStringLiteral("argument unpacking is not allowed in parameter declarations"));
            if (keywordSpread) {
                ++cur_;
                NodePtr node = makeNode(NodeKind::KeywordSpread, at);
                node->a = parseExpression();
                into.push_back(std::move(node));
                if (is(TokenType::Comma))
                    ++cur_;
                if (!is(TokenType::CloseParen))
                    failHere(QStringLiteral("expected ')': '**' must be applied to the last argument"));
                break;
            }
            NodePtr argument;
            if (spread) {
                if (sawSpread)
                    fail(at, QStringLiteral("only one '*' argument unpacking is allowed"));
                sawSpread = true;
                ++cur_;
                argument = makeNode(NodeKind::Spread, at);
                argument->a = parseExpression();
            } else {
                argument = parseExpression();
                if (is(TokenType::Equals)) {
                    ++cur_;
                    if (argument->kind != NodeKind::Identifier)
                        fail(at, parameters ? QStringLiteral("expected a name for the parameter")
                                            : QStringLiteral("expected a name for the keyword argument"));
                    NodePtr keyword = makeNode(NodeKind::KeywordArgument, at);
                    keyword->text = argument->text;
                    keyword->a = parseExpression();
                    argument = std::move(keyword);
                }
                if (parameters) {
                    if (argument->kind != NodeKind::Identifier && argument->kind != NodeKind::KeywordArgument)
                        fail(at, QStringLiteral("expected a name for the parameter"));
                    if (names.contains(argument->text))
                        fail(at, QStringLiteral("duplicate parameter name '%1'").arg(argument->text));
                    names.insert(argument->text);
                }
                if (argument->kind == NodeKind::KeywordArgument)
                    sawKeyword = true;
                else if (sawKeyword)
                    fail(at, parameters ? QStringLiteral("a parameter without a default follows one with a default")
                                        : QStringLiteral("positional arguments must come before keyword arguments"));
                else if (sawSpread)
                    fail(at, QStringLiteral("positional arguments must not follow '*' argument unpacking"));
            }
            into.push_back(std::move(argument));
            if (is(TokenType::Comma))
                ++cur_;
        }
        expect(TokenType::CloseParen, "')'");
    }

    NodePtr parseSubscript(int at)
    {
        std::vector<NodePtr> parts;
        bool slice = false;
        while (!is(TokenType::CloseSquareBracket)) {
            if (cur_ >= tokens_.size())
                failHere(QStringLiteral("expected ']'"));
            if (is(TokenType::Colon)) {
                parts.push_back(nullptr);
                ++cur_;
                slice = true;
            } else {
                parts.push_back(parseExpression());
                if (is(TokenType::Colon)) {
                    ++cur_;
                    slice = true;
                }
            }
        }
        if (parts.empty())
            fail(at, QStringLiteral("expected an index or a slice between '[' and ']'"));
        if (!slice)
            return std::move(parts[0]);
        if (parts.size() > 3)
            fail(at, QStringLiteral("a slice has at most three parts (start:stop:step)"));
        NodePtr node = makeNode(NodeKind::Slice, at);
        node->a = std::move(parts[0]);
        if (parts.size() > 1)
            node->b = std::move(parts[1]);
        if (parts.size() > 2)
            node->c = std::move(parts[2]);
        return node;
    }

    NodePtr parseMember(NodePtr object)
    {
        while (is(TokenType::Dot) || is(TokenType::OpenSquareBracket)) {
            const Token& op = tokens_[cur_++];
            NodePtr node = makeNode(NodeKind::Member, op.offset);
            node->flag = op.type == TokenType::OpenSquareBracket;
            if (node->flag) {
                node->b = parseSubscript(op.offset);
                expect(TokenType::CloseSquareBracket, "']'");
            } else {
                node->b = parsePrimary();
                if (node->b->kind != NodeKind::Identifier && node->b->kind != NodeKind::IntegerLiteral)
                    fail(node->b->offset, QStringLiteral("expected a name or an integer after '.'"));
            }
            node->a = std::move(object);
            object = std::move(node);
        }
        return object;
    }

    NodePtr parsePrimary()
    {
        if (cur_ >= tokens_.size())
            failHere(QStringLiteral("expected an expression"));
        const Token& token = tokens_[cur_++];
        switch (token.type) {
        case TokenType::NumericLiteral: {
            const double real = token.value.toDouble();
            // Beyond int64 an integer literal is only a JavaScript Number, a float: converting it to
            // int64 would be undefined (found by fuzz_chat_template).
            const bool isFloat = token.value.contains(QLatin1Char('.')) || !(std::fabs(real) < 9.2e18);
            NodePtr node = makeNode(isFloat ? NodeKind::FloatLiteral : NodeKind::IntegerLiteral, token.offset);
            node->real = real;
            node->integer = token.value.toLongLong();
            if (!isFloat && token.value.size() > 15) // beyond 2^53: JavaScript's Number, rounded
                node->integer = qint64(node->real);
            return node;
        }
        case TokenType::StringLiteral: {
            NodePtr node = makeNode(NodeKind::StringLiteral, token.offset);
            node->text = token.value;
            while (is(TokenType::StringLiteral))
                node->text += tokens_[cur_++].value;
            return node;
        }
        case TokenType::Identifier: {
            NodePtr node = makeNode(NodeKind::Identifier, token.offset);
            node->text = token.value;
            return node;
        }
        case TokenType::OpenParen: {
            NodePtr node = parseExpressionSequence(false);
            expect(TokenType::CloseParen, "')'");
            return node;
        }
        case TokenType::OpenSquareBracket: {
            NodePtr node = makeNode(NodeKind::ArrayLiteral, token.offset);
            while (!is(TokenType::CloseSquareBracket)) {
                node->args.push_back(parseExpression());
                if (is(TokenType::Comma))
                    ++cur_;
            }
            ++cur_;
            return node;
        }
        case TokenType::OpenCurlyBracket: {
            NodePtr node = makeNode(NodeKind::ObjectLiteral, token.offset);
            while (!is(TokenType::CloseCurlyBracket)) {
                node->args.push_back(parseExpression());
                expect(TokenType::Colon, "':' between a key and its value");
                node->body.push_back(parseExpression());
                if (is(TokenType::Comma))
                    ++cur_;
            }
            ++cur_;
            return node;
        }
        default: --cur_; failHere(QStringLiteral("expected an expression"));
        }
    }

    const QString& source_;
    QString origin_;
    QList<Token> tokens_;
    qsizetype cur_ = 0;
};

} // namespace

NodePtr parseTemplate(const QString& source, const QString& origin) { return Parser(source, origin).program(); }

} // namespace ft::jinja
