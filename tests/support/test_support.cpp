#include "support/test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

namespace ft::test {

QString sharedDir()
{
    const QString fromEnv = qEnvironmentVariable("FT_SHARED_DIR");
    for (const QString& candidate : {fromEnv, QStringLiteral(FT_DEFAULT_SHARED_DIR)}) {
        if (!candidate.isEmpty() && QFileInfo(QDir(candidate).filePath(QStringLiteral("fixtures"))).isDir())
            return QDir(candidate).canonicalPath();
    }
    return {};
}

QString sharedPath(const QString& relative) { return QDir(sharedDir()).filePath(relative); }

bool sharedRequired() { return qEnvironmentVariable("FT_REQUIRE_SHARED") == QLatin1String("1"); }

QString cliPath() { return qEnvironmentVariable("FT_CLI"); }

QString makeTinyModel(const QString& folder, QString* error)
{
    return makeStarterModel(folder, QStringLiteral("tiny"), error);
}

QString makeStarterModel(const QString& folder, const QString& preset, QString* error,
                         const QStringList& extraArguments)
{
    QProcess process;
    process.start(cliPath(), QStringList{QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"),
                                         preset, folder} +
                                 extraArguments);
    if (!process.waitForFinished(180000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        if (error)
            *error = QString::fromUtf8(process.readAllStandardError()) + process.errorString();
        return {};
    }
    return folder;
}

QString writeSampleJsonl(const QString& path, int count)
{
    QFile sample(QStringLiteral(FT_SAMPLE_DATASET));
    if (!sample.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines;
    for (const QByteArray& line : sample.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            lines << line;
    QFile out(path);
    if (lines.isEmpty() || !out.open(QIODevice::WriteOnly))
        return {};
    for (int i = 0; i < count; ++i)
        out.write(lines[i % lines.size()] + '\n');
    return path;
}

QString writeScript(const QString& path, const QByteArray& body)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("#!/bin/bash\n" + body);
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup);
    return path;
}

} // namespace ft::test
