#pragma once
// The GGUF oracles for the tests, under node (see ../shared/tools/oracles/README.md):
//   gguf-info.mjs FILE          @huggingface/gguf's reading of a file's metadata and tensor infos (JSON)
//   llamacpp-generate.mjs FILE PROMPT N   llama.cpp (@fugood/llama.node, CPU) loads the file and generates
//                                greedily; its log lines come first, the JSON result is the last line.
// Tests skip with a message where node or the oracles are missing, and fail instead under FT_REQUIRE_ORACLES=1.

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

inline QString ggufOracleDir(QString* why)
{
    return oraclesDir({QStringLiteral("gguf-info.mjs"), QStringLiteral("llamacpp-generate.mjs"),
                       QStringLiteral("node_modules/@huggingface/gguf"),
                       QStringLiteral("node_modules/@fugood/llama.node")},
                      why);
}

// Runs `node DIR/SCRIPT ARGS...` (SCRIPT may be an absolute path: a test's own script) and parses the last
// line of stdout as a JSON object; empty (and *error) on failure.
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
            if (ft::test::oraclesRequired())                                                                           \
                QFAIL(qPrintable(QStringLiteral("the GGUF oracles are required (FT_REQUIRE_ORACLES=1): ") + why_));    \
            QSKIP(qPrintable(QStringLiteral("skipping the comparison with llama.cpp / @huggingface/gguf: ") + why_));  \
        }                                                                                                              \
    } while (false)
