#pragma once
// The GGUF oracles for the tests, under node (see ../shared/tools/oracles/README.md):
//   gguf-info.mjs FILE          @huggingface/gguf's reading of a file's metadata and tensor infos (JSON)
//   llamacpp-generate.mjs FILE PROMPT N   llama.cpp (@fugood/llama.node, CPU) loads the file and generates
//                                greedily; its log lines come first, the JSON result is the last line.
// Tests skip with a message where node or the oracles are missing, and fail instead under FT_REQUIRE_ORACLES=1.

#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

#include <vector>

namespace ft::test {

inline bool ggufOracleRequired() { return qEnvironmentVariable("FT_REQUIRE_ORACLES") == QLatin1String("1"); }

// $FT_ORACLES_DIR, else the folder ../shared/tools/oracles/install prints; empty, with the reason in *why.
inline QString ggufOracleDir(QString* why)
{
    static bool looked = false;
    static QString dir;
    static QString reason;
    if (!looked) {
        looked = true;
        const auto hasOracle = [](const QString& d) {
            const QDir folder(d);
            return !d.isEmpty() && QFileInfo::exists(folder.filePath(QStringLiteral("gguf-info.mjs"))) &&
                   QFileInfo::exists(folder.filePath(QStringLiteral("llamacpp-generate.mjs"))) &&
                   QFileInfo::exists(folder.filePath(QStringLiteral("node_modules/@huggingface/gguf"))) &&
                   QFileInfo::exists(folder.filePath(QStringLiteral("node_modules/@fugood/llama.node")));
        };
        if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty()) {
            reason = QStringLiteral("node is not installed");
        } else {
            dir = qEnvironmentVariable("FT_ORACLES_DIR");
            if (!hasOracle(dir)) {
                const QString install = sharedPath(QStringLiteral("tools/oracles/install"));
                if (sharedDir().isEmpty() || !QFileInfo::exists(install)) {
                    reason = QStringLiteral("../shared/tools/oracles/install not found (set FT_SHARED_DIR)");
                } else {
                    QProcess process;
                    process.start(QStringLiteral("sh"), {install});
                    process.waitForFinished(600000);
                    const QStringList lines =
                        QString::fromUtf8(process.readAllStandardOutput()).trimmed().split(QLatin1Char('\n'));
                    dir = lines.isEmpty() ? QString() : lines.last().trimmed();
                    if (process.exitCode() != 0 || !hasOracle(dir))
                        reason = QStringLiteral("the oracles could not be installed: %1")
                                     .arg(QString::fromUtf8(process.readAllStandardError()).trimmed());
                }
            }
            if (!reason.isEmpty())
                dir.clear();
        }
    }
    if (why)
        *why = reason;
    return dir;
}

// Runs `node DIR/SCRIPT ARGS...` and parses the last line of stdout as a JSON object; empty (and *error) on
// failure.
inline QJsonObject runGgufOracle(const QString& dir, const QString& script, const QStringList& arguments,
                                 QString* error)
{
    QProcess process;
    process.start(QStringLiteral("node"), QStringList{QDir(dir).filePath(script)} + arguments);
    process.waitForFinished(300000);
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    const QJsonDocument doc = QJsonDocument::fromJson(lines.isEmpty() ? QByteArray() : lines.last());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0 || !doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1 %2 failed (exit %3): %4")
                         .arg(script, arguments.join(QLatin1Char(' ')))
                         .arg(process.exitCode())
                         .arg(QString::fromUtf8(process.readAllStandardError()).right(2000));
        return {};
    }
    return doc.object();
}

} // namespace ft::test

// Declares `dirVariable` (the oracles' folder), or skips the test (fails it under FT_REQUIRE_ORACLES=1).
#define FT_REQUIRE_GGUF_ORACLE(dirVariable)                                                                            \
    QString dirVariable;                                                                                               \
    do {                                                                                                               \
        QString why_;                                                                                                  \
        dirVariable = ft::test::ggufOracleDir(&why_);                                                                  \
        if (dirVariable.isEmpty()) {                                                                                   \
            if (ft::test::ggufOracleRequired())                                                                        \
                QFAIL(qPrintable(QStringLiteral("the GGUF oracles are required (FT_REQUIRE_ORACLES=1): ") + why_));   \
            QSKIP(qPrintable(QStringLiteral("skipping the comparison with llama.cpp / @huggingface/gguf: ") + why_)); \
        }                                                                                                              \
    } while (false)
