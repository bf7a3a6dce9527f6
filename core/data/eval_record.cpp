#include "data/eval_record.h"

#include <QCryptographicHash>
#include <QJsonDocument>

namespace ft {

namespace {

QByteArray compactJson(const ExampleRecord& record)
{
    return QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact);
}

const ChatTurn* lastTurn(const ExampleRecord& record, ChatTurn::Role role)
{
    for (auto it = record.turns.rbegin(); it != record.turns.rend(); ++it)
        if (it->role == role)
            return &*it;
    return nullptr;
}

} // namespace

QString evalPromptText(const ExampleRecord& record)
{
    if (record.isMultiTurn()) {
        // The user turn the last answer replies to.
        for (size_t i = record.turns.size(); i-- > 0;)
            if (record.turns[i].role == ChatTurn::Role::Assistant && i > 0)
                return record.turns[i - 1].content;
        const ChatTurn* user = lastTurn(record, ChatTurn::Role::User);
        return user ? user->content : QString();
    }
    return record.input.isEmpty() ? record.instruction : record.instruction + QStringLiteral("\n\n") + record.input;
}

QString evalReferenceText(const ExampleRecord& record)
{
    if (record.isMultiTurn()) {
        const ChatTurn* answer = lastTurn(record, ChatTurn::Role::Assistant);
        return answer ? answer->content : QString();
    }
    return record.response;
}

QString recordKey(const ExampleRecord& record)
{
    return QString::fromLatin1(QCryptographicHash::hash(compactJson(record), QCryptographicHash::Sha256).toHex());
}

QString recordsSha256(const std::vector<ExampleRecord>& records)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const ExampleRecord& record : records) {
        hash.addData(compactJson(record));
        hash.addData(QByteArrayLiteral("\n"));
    }
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace ft
