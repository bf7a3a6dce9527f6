#pragma once
// One training example: an instruction/response pair (optionally with a system prompt and an input),
// or a whole multi-turn conversation.

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
    // A conversation of more than one exchange, kept whole: user and assistant turns alternating,
    // starting with the user. When present, instruction/input/response are not used for training.
    std::vector<ChatTurn> turns;

    bool isMultiTurn() const { return !turns.empty(); }

    // {system?, instruction, input?, response} or {system?, turns: [{role, content}, ...]}; empty
    // optional fields are left out.
    QJsonObject toJson() const;
    // Throws ft::Error naming `origin` (e.g. "train.jsonl:12") and the field at fault. Empty
    // responses are refused unless `allowEmptyResponse`.
    static ExampleRecord fromJson(const QJsonObject& json, const QString& origin, bool allowEmptyResponse = false);
    // A conversation of complete user/assistant pairs as an example: one pair as instruction and response,
    // more kept whole as turns.
    static ExampleRecord fromConversation(const QString& system, const std::vector<ChatTurn>& turns);
};

} // namespace ft
