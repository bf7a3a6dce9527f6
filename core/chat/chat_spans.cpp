// Where each assistant turn lies in a rendered conversation (docs/chat-templates.md):
//
// 1. Prefix renders. P = the messages before assistant message i with add_generation_prompt, E = the
//    messages through i without it. Where E is a prefix of the full render F and P of E, the turn is
//    F[|P|, |E|).
// 2. Otherwise (Qwen3 drops the <think> block of earlier turns; Llama 3's original template always
//    appends an assistant header), message i's content is found in F by rendering F twice with two
//    different sentinel contents: the only difference must be the sentinel, and the text around it
//    must be F's own. The turn starts where P ends when P is a prefix of F (else where the content
//    starts), and runs through the text that follows the content both in F and in E. Where the
//    text around the content depends on it (Qwen3 adds a newline before a tool call only after a
//    non-empty content) and P is a prefix of F, the content is searched as written after P (an
//    empty one is where P ends), and the turn runs to the first end-of-turn marker after it.
//    Where P is not a prefix of F (Qwen3 prints a <think> block only in the turns after the last
//    user query, so the same turn renders differently as the last one), the turn starts after the
//    first generation header (add_generation_prompt's text) in F after the previous turn, or after
//    its first line (the role's tag) where the header goes on past what F writes for this turn
//    (Qwen3 with enable_thinking=false prompts with an empty <think> block), so that a <think>
//    block the template writes for the turn is part of the reply.
// In both cases the span ends after the last end-of-turn marker (the eos token, <|im_end|>,
// <|eot_id|>, ...) in the turn, or at the turn's end less trailing whitespace when it has none.

#include "chat/chat_template.h"

#include "chat/jinja_error.h"
#include "common/error.h"

#include <algorithm>
#include <optional>

namespace ft {

namespace {

using jinja::Value;
using Range = QPair<int, int>;

Value firstMessages(const Value& messages, int count)
{
    const jinja::ValueList& all = messages.items();
    return Value::list(jinja::ValueList(all.begin(), all.begin() + count));
}

// A copy of the messages with message `index`'s content replaced.
Value withContent(const Value& messages, int index, const QString& content)
{
    jinja::ValueList items = messages.items();
    Value copy = Value::dict();
    for (const auto& [key, value] : items[size_t(index)].entries().entries())
        copy.entries().set(key, value);
    copy.entries().set(QStringLiteral("content"), Value::string(content));
    items[size_t(index)] = copy;
    return Value::list(std::move(items));
}

int commonPrefix(QStringView a, QStringView b)
{
    const qsizetype n = std::min(a.size(), b.size());
    qsizetype i = 0;
    while (i < n && a[i] == b[i])
        ++i;
    return int(i);
}

int commonSuffix(QStringView a, QStringView b, int limit)
{
    int i = 0;
    while (i < limit && a[a.size() - 1 - i] == b[b.size() - 1 - i])
        ++i;
    return i;
}

// Where message `index`'s content lies in `text` (the render of `messages`), by two sentinel renders.
std::optional<Range> locateContent(const ChatTemplate& t, const Value& messages, int index,
                                   const ChatTemplateOptions& options, const QString& text)
{
    const QString a = QStringLiteral("\uE000ftspan%1\uE001").arg(index);
    const QString b = QStringLiteral("\uE002ftspan-%1-\uE003").arg(index);
    QString ta, tb;
    try {
        ta = t.render(withContent(messages, index, a), options);
        tb = t.render(withContent(messages, index, b), options);
    } catch (const Error&) {
        return std::nullopt;
    }
    const int p = commonPrefix(ta, tb);
    const int s = commonSuffix(ta, tb, int(std::min(ta.size(), tb.size())) - p);
    if (QStringView(ta).mid(p, ta.size() - p - s) != a || QStringView(tb).mid(p, tb.size() - p - s) != b)
        return std::nullopt; // the content is printed more than once, or changed
    if (p + s > text.size() || QStringView(text).left(p) != QStringView(ta).left(p) ||
        QStringView(text).right(s) != QStringView(ta).right(s))
        return std::nullopt; // the text around it depends on the content
    return Range{p, int(text.size()) - s};
}

// Where the message's content is, as written, in `text` from `from` on: for a template whose text
// around the content depends on it (Qwen3 prints a newline before a tool call only after a
// non-empty content), where the sentinel renders cannot tell. An empty or absent content is at `from`.
std::optional<Range> findContentText(const Value& message, const QString& text, int from)
{
    const Value* content = message.entries().find(QStringLiteral("content"));
    if (!content || content->isNone() || content->isUndefined() || (content->isString() && content->stringValue().isEmpty()))
        return Range{from, from};
    if (!content->isString())
        return std::nullopt;
    for (const QString& written : {content->stringValue(), content->stringValue().trimmed()}) {
        const qsizetype at = written.isEmpty() ? -1 : text.indexOf(written, from);
        if (at >= 0)
            return Range{int(at), int(at + written.size())};
    }
    return std::nullopt;
}

// The header the template gives the model to answer after: the text add_generation_prompt adds to
// the conversation before message `index` ("<|im_start|>assistant\n"); empty when it adds none.
QString generationHeader(const ChatTemplate& t, const Value& messages, int index,
                         const ChatTemplateOptions& withoutPrompt, const QString& before)
{
    try {
        const QString plain = t.render(firstMessages(messages, index), withoutPrompt);
        return before.startsWith(plain) ? before.mid(plain.size()) : QString();
    } catch (const Error&) {
        return {};
    }
}

// Where the reply starts when the prompt P is not a prefix of F: after the first header from `from`
// on (the end of the previous reply). The header may go on past what F writes for this turn (Qwen3
// with enable_thinking=false prompts with an empty <think> block, but prints the turn's own
// reasoning, or none for a turn that is not the last): then after its first line, the role's tag.
std::optional<int> afterHeader(const QString& text, int from, const QString& header)
{
    if (header.trimmed().isEmpty())
        return std::nullopt;
    const qsizetype lineEnd = header.indexOf(QLatin1Char('\n'));
    const QString tag = lineEnd >= 0 ? header.left(lineEnd + 1) : header;
    const qsizetype at = text.indexOf(tag, from);
    if (at < 0)
        return std::nullopt;
    if (QStringView(text).mid(at).startsWith(header))
        return int(at + header.size());
    return int(at + tag.size());
}

// The end of the first end-of-turn marker in `text` from `from` on; -1 when there is none.
int firstMarkerEnd(const QString& text, int from, const QStringList& markers)
{
    int first = -1;
    for (const QString& marker : markers) {
        const qsizetype at = text.indexOf(marker, from);
        if (at >= 0 && (first < 0 || at + marker.size() < first))
            first = int(at + marker.size());
    }
    return first;
}

QStringList endOfTurnMarkers(const ChatTemplateOptions& options)
{
    QStringList markers{QStringLiteral("<|im_end|>"),    QStringLiteral("<|eot_id|>"),  QStringLiteral("<|eom_id|>"),
                        QStringLiteral("<|end|>"),       QStringLiteral("<end_of_turn>"),
                        QStringLiteral("<|endoftext|>"), QStringLiteral("<|end_of_text|>"), QStringLiteral("</s>")};
    if (!options.eosToken.isEmpty() && !markers.contains(options.eosToken))
        markers.prepend(options.eosToken);
    return markers;
}

// The end of the span in the turn [start, turnEnd): after its last end-of-turn marker, else the
// turn's end less trailing whitespace.
int spanEnd(const QString& text, int start, int turnEnd, const QStringList& markers)
{
    int best = -1;
    const QStringView turn = QStringView(text).mid(start, turnEnd - start);
    for (const QString& marker : markers) {
        const qsizetype at = turn.lastIndexOf(marker);
        if (at >= 0)
            best = std::max(best, start + int(at + marker.size()));
    }
    if (best >= 0)
        return best;
    int end = turnEnd;
    while (end > start && jinja::isJsSpace(text.at(end - 1)))
        --end;
    return end;
}

[[noreturn]] void cannot(const ChatTemplate& t, int index, const QString& why)
{
    throw Error(QStringLiteral("%1: cannot find where assistant message %2 lies in the rendered conversation: %3")
                    .arg(t.origin())
                    .arg(index)
                    .arg(why));
}

} // namespace

RenderedChat renderWithAssistantSpans(const ChatTemplate& chatTemplate, const QJsonArray& messages,
                                      const ChatTemplateOptions& options)
{
    return renderWithAssistantSpans(chatTemplate, Value::fromJson(messages), options);
}

RenderedChat renderWithAssistantSpans(const ChatTemplate& t, const Value& messages, const ChatTemplateOptions& options)
{
    if (!messages.isList())
        throw Error(QStringLiteral("%1: the messages must be a list").arg(t.origin()));
    RenderedChat result;
    result.text = t.render(messages, options);
    const QString& full = result.text;
    ChatTemplateOptions prompt = options, through = options;
    prompt.addGenerationPrompt = true;
    through.addGenerationPrompt = false;
    const QStringList markers = endOfTurnMarkers(options);
    int previousEnd = 0;
    const int count = int(messages.items().size());
    for (int i = 0; i < count; ++i) {
        const Value& message = messages.items()[size_t(i)];
        const Value* role = message.isDict() ? message.entries().find(QStringLiteral("role")) : nullptr;
        if (!role || !role->isString() || role->stringValue() != QLatin1String("assistant"))
            continue;
        std::optional<QString> before, upTo;
        try {
            before = t.render(firstMessages(messages, i), prompt);
            upTo = t.render(firstMessages(messages, i + 1), through);
        } catch (const Error&) {
            // a template may refuse a cut conversation; the content search below does without
        }
        int start = 0, turnEnd = 0;
        if (before && upTo && full.startsWith(*upTo) && upTo->startsWith(*before)) {
            start = int(before->size());
            turnEnd = int(upTo->size());
        } else {
            // Where the reply starts: after the prompt P when F begins with it, else after the
            // next header (or its first line, the role's tag) in F.
            std::optional<int> knownStart;
            if (before && full.startsWith(*before))
                knownStart = int(before->size());
            else if (before)
                knownStart = afterHeader(full, previousEnd, generationHeader(t, messages, i, through, *before));
            std::optional<Range> inFull = locateContent(t, messages, i, options, full);
            if (!inFull && knownStart) {
                inFull = findContentText(message, full, *knownStart);
                if (!inFull) // the template rewrote the content (e.g. split off a <think> block)
                    inFull = Range{*knownStart, *knownStart};
            }
            if (!inFull)
                cannot(t, i, QStringLiteral("the template is not prefix-stable here, and the message's content is "
                                            "printed more than once or changed by it"));
            start = knownStart && *knownStart <= inFull->first ? *knownStart : inFull->first;
            std::optional<Range> inUpTo;
            if (upTo)
                inUpTo = locateContent(t, firstMessages(messages, i + 1), i, through, *upTo);
            if (inUpTo) {
                const QStringView trailer = QStringView(*upTo).mid(inUpTo->second);
                turnEnd = inFull->second + commonPrefix(QStringView(full).mid(inFull->second), trailer);
            } else {
                // no usable render of the conversation cut after this message: to the first marker
                const int first = firstMarkerEnd(full, inFull->second, markers);
                if (first < 0)
                    cannot(t, i, QStringLiteral("no end-of-turn marker follows its content"));
                turnEnd = first;
            }
        }
        const int end = spanEnd(full, start, turnEnd, markers);
        if (start < previousEnd || end < start)
            cannot(t, i, QStringLiteral("its turn overlaps the previous one"));
        result.assistantSpans.append({start, end});
        previousEnd = end;
    }
    return result;
}

} // namespace ft
