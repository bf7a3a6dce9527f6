#include "runs/cli_locator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "common/error.h"

namespace ft {

namespace {

bool isProgram(const QString& path)
{
    const QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

} // namespace

QString findCli(QStringList* searched)
{
    QStringList candidates;
    const QString fromEnv = qEnvironmentVariable("FT_CLI");
    if (!fromEnv.isEmpty())
        candidates << fromEnv;
    if (QCoreApplication::instance()) {
        const QDir exeDir(QCoreApplication::applicationDirPath());
        candidates << exeDir.filePath(QStringLiteral("ftstudio-cli"))
                   << exeDir.filePath(QStringLiteral("../cli/ftstudio-cli"));
    }
#ifdef FT_BUILD_CLI_PATH
    candidates << QStringLiteral(FT_BUILD_CLI_PATH);
#endif
    if (searched)
        *searched = candidates;
    for (const QString& candidate : candidates) {
        if (isProgram(candidate))
            return QFileInfo(candidate).absoluteFilePath();
    }
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("ftstudio-cli"));
    if (searched)
        *searched << QStringLiteral("$PATH");
    return onPath;
}

QString requireCli()
{
    QStringList searched;
    const QString path = findCli(&searched);
    if (path.isEmpty())
        throw Error(
            QStringLiteral("ftstudio-cli (the training worker) was not found; looked at %1. Set FT_CLI to its path.")
                .arg(searched.join(QStringLiteral(", "))));
    return path;
}

} // namespace ft
