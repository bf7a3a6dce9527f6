#pragma once
// One training example: an instruction/response pair (optionally with a system prompt and an input),
// or a whole multi-turn conversation. A pair may also carry a rejected response: then it is a
// preference pair (the response is the chosen one), what DPO trains on.

#include <vector>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace ft {

struct ChatTurn {
    enum class Role { User, Assistant };
    Role role = Role::User;
    QString content;
};

struct ExampleRecord {
    QString system;
    QString instruction;
    QString input;
    QString response;
    // A worse answer to the same prompt than `response` (instruction/response pairs only); empty
    // when the example is not a preference pair.
    QString rejected;
    // A conversation of more than one exchange, kept whole: user and assistant turns alternating,
    // starting with the user. When present, instruction/input/response are not used for training.
    std::vector<ChatTurn> turns;

    bool isMultiTurn() const { return !turns.empty(); }
    bool isPreferencePair() const { return !isMultiTurn() && !rejected.trimmed().isEmpty() && rejected != response; }
    // The same prompt with the rejected response as its answer (what DPO scores against the chosen one).
    ExampleRecord rejectedVariant() const;

    // {system?, instruction, input?, response, rejected?} or {system?, turns: [{role, content}, ...]};
    // empty optional fields are left out.
    QJsonObject toJson() const;
    // Throws ft::Error naming `origin` (e.g. "train.jsonl:12") and the field at fault. Empty
    // responses are refused unless `allowEmptyResponse`.
    static ExampleRecord fromJson(const QJsonObject& json, const QString& origin, bool allowEmptyResponse = false);
    // A conversation of complete user/assistant pairs as an example: one pair as instruction and response,
    // more kept whole as turns.
    static ExampleRecord fromConversation(const QString& system, const std::vector<ChatTurn>& turns);
};

} // namespace ft
