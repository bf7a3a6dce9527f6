#pragma once
// The tokenizer oracle for the tests: Hugging Face's Rust `tokenizers` (the npm package
// @anush008/tokenizers) under node, through ../shared/tools/oracles/encode.mjs. Tests skip with a
// message where node or the oracle is missing, and fail instead under FT_REQUIRE_ORACLES=1.

#include "support/oracles.h"
#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <vector>

namespace ft::test {

inline QString tokenizerOracleDir(QString* why)
{
    return oraclesDir({QStringLiteral("encode.mjs"), QStringLiteral("node_modules/@anush008/tokenizers")}, why);
}

struct OracleEncoding {
    QString text;
    std::vector<int> ids;
    QString decoded; // decode(ids, skip_special_tokens=false)
};

// `node DIR/encode.mjs TOKENIZER_JSON [--special]` with `texts` as a JSON array on stdin; empty (and
// *error) when node fails.
inline std::vector<OracleEncoding> oracleEncode(const QString& dir, const QString& tokenizerJson,
                                                const QStringList& texts, bool special, QString* error)
{
    QStringList args{QDir(dir).filePath(QStringLiteral("encode.mjs")), tokenizerJson};
    if (special)
        args << QStringLiteral("--special");
    QProcess process;
    process.start(QStringLiteral("node"), args);
    process.write(QJsonDocument(QJsonArray::fromStringList(texts)).toJson(QJsonDocument::Compact));
    process.closeWriteChannel();
    process.waitForFinished(300000);
    // Raw byte order marks become \ufeff escapes: Qt's JSON parser drops one that starts a string.
    const QJsonDocument doc =
        QJsonDocument::fromJson(process.readAllStandardOutput().replace("\xEF\xBB\xBF", "\\ufeff"));
    std::vector<OracleEncoding> results;
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0 || !doc.isArray() ||
        doc.array().size() != texts.size()) {
        if (error)
            *error = QStringLiteral("encode.mjs failed: %1").arg(QString::fromUtf8(process.readAllStandardError()));
        return results;
    }
    for (const QJsonValue& value : doc.array()) {
        const QJsonObject object = value.toObject();
        OracleEncoding encoding;
        encoding.text = object.value(QStringLiteral("text")).toString();
        for (const QJsonValue& id : object.value(QStringLiteral("ids")).toArray())
            encoding.ids.push_back(id.toInt());
        encoding.decoded = object.value(QStringLiteral("decoded")).toString();
        results.push_back(std::move(encoding));
    }
    return results;
}

} // namespace ft::test

// Declares `dirVariable` (the oracle's folder), or skips the test (fails it under FT_REQUIRE_ORACLES=1).
#define FT_REQUIRE_TOKENIZER_ORACLE(dirVariable)                                                                       \
    QString dirVariable;                                                                                               \
    do {                                                                                                               \
        QString why_;                                                                                                  \
        dirVariable = ft::test::tokenizerOracleDir(&why_);                                                             \
        if (dirVariable.isEmpty()) {                                                                                   \
            if (ft::test::oraclesRequired())                                                                           \
                QFAIL(qPrintable(QStringLiteral("the tokenizer oracle is required (FT_REQUIRE_ORACLES=1): ") + why_)); \
            QSKIP(qPrintable(QStringLiteral("skipping the comparison with Hugging Face tokenizers: ") + why_));        \
        }                                                                                                              \
    } while (false)
