#pragma once
// The chat-template oracle for the tests: @huggingface/jinja under node, through
// ../shared/tools/oracles/render-chat.mjs (a tokenizer_config.json and messages, as given) and
// render_oracle.mjs beside this file (any template and context). Tests skip with a message where
// node or the oracles are missing, and fail instead under FT_REQUIRE_ORACLES=1.

#include "support/oracles.h"
#include "support/test_support.h"

#include <QByteArray>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>

#include <optional>

namespace ft::test {

inline QString oracleDir(QString* why)
{
    return oraclesDir({QStringLiteral("node_modules/@huggingface/jinja/dist/index.js")}, why);
}

struct OracleCase {
    QString templateSource;
    QByteArray contextJson = "{}"; // a JSON object: the template's variables
    std::optional<QDateTime> now;  // strftime_now's time (read as UTC)
};

struct OracleResult {
    bool ok = false;
    QString text;  // when ok
    QString error; // when not
};

inline QByteArray jsonString(const QString& text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// Renders every case with render_oracle.mjs in one node process; empty (with *error) when node fails.
inline QList<OracleResult> oracleRender(const QString& dir, const QList<OracleCase>& cases, QString* error)
{
    QByteArray input = "[";
    for (qsizetype i = 0; i < cases.size(); ++i) {
        const OracleCase& c = cases[i];
        input += (i ? "," : "") + QByteArray("{\"template\":") + jsonString(c.templateSource) +
                 ",\"context\":" + c.contextJson;
        if (c.now)
            input += ",\"now\":" + QByteArray::number(c.now->toMSecsSinceEpoch());
        input += "}";
    }
    input += "]";
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("node"), {QStringLiteral(FT_CHAT_TEST_DIR "/render_oracle.mjs"), dir});
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(300000);
    const QJsonDocument doc = QJsonDocument::fromJson(process.readAllStandardOutput());
    QList<OracleResult> results;
    if (process.exitCode() != 0 || !doc.isArray() || doc.array().size() != cases.size()) {
        if (error)
            *error =
                QStringLiteral("render_oracle.mjs failed: %1").arg(QString::fromUtf8(process.readAllStandardError()));
        return results;
    }
    for (const QJsonValue& value : doc.array()) {
        const QJsonObject object = value.toObject();
        results.append({object.value(QStringLiteral("ok")).toBool(), object.value(QStringLiteral("text")).toString(),
                        object.value(QStringLiteral("error")).toString()});
    }
    return results;
}

// `node DIR/render-chat.mjs CONFIG [--generation-prompt]` with the messages (JSON text) on stdin.
inline OracleResult renderChatOracle(const QString& dir, const QString& tokenizerConfig, const QByteArray& messagesJson,
                                     bool generationPrompt)
{
    QStringList args{QDir(dir).filePath(QStringLiteral("render-chat.mjs")), tokenizerConfig};
    if (generationPrompt)
        args << QStringLiteral("--generation-prompt");
    QProcess process;
    process.start(QStringLiteral("node"), args);
    process.write(messagesJson);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    OracleResult result;
    result.ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    result.text = QString::fromUtf8(process.readAllStandardOutput());
    result.error = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace ft::test

// Declares `dirVariable` (the oracles' folder), or skips the test (fails it under FT_REQUIRE_ORACLES=1).
#define FT_REQUIRE_ORACLE(dirVariable)                                                                                 \
    QString dirVariable;                                                                                               \
    do {                                                                                                               \
        QString why_;                                                                                                  \
        dirVariable = ft::test::oracleDir(&why_);                                                                      \
        if (dirVariable.isEmpty()) {                                                                                   \
            if (ft::test::oraclesRequired())                                                                           \
                QFAIL(qPrintable(QStringLiteral("the chat-template oracle is required (FT_REQUIRE_ORACLES=1): ") +     \
                                 why_));                                                                               \
            QSKIP(qPrintable(QStringLiteral("skipping the comparison with @huggingface/jinja: ") + why_));             \
        }                                                                                                              \
    } while (false)
