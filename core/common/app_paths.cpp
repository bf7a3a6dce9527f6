#include "common/app_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStringList>

#include "common/error.h"

namespace ft {

QString appVersion() { return QStringLiteral(FT_VERSION); }

namespace {

QStringList candidateDataDirs()
{
    QStringList dirs;
    const QString fromEnv = qEnvironmentVariable("FT_DATA_DIR");
    if (!fromEnv.isEmpty())
        dirs << fromEnv;
    if (QCoreApplication::instance()) {
        const QString exeDir = QCoreApplication::applicationDirPath();
        dirs << QDir(exeDir).filePath(QStringLiteral("../" FT_INSTALL_DATA_DIR));
    }
    dirs << QStringLiteral("/usr/" FT_INSTALL_DATA_DIR) << QStringLiteral(FT_SOURCE_RESOURCES_DIR);
    return dirs;
}

} // namespace

QString appDataDir()
{
    for (const QString& dir : candidateDataDirs()) {
        if (QFileInfo::exists(QDir(dir).filePath(QStringLiteral("sample"))))
            return QDir(dir).canonicalPath();
    }
    return QStringLiteral(FT_SOURCE_RESOURCES_DIR);
}

QString appDataFile(const QString& relativePath)
{
    const QStringList dirs = candidateDataDirs();
    for (const QString& dir : dirs) {
        const QString path = QDir(dir).filePath(relativePath);
        if (QFileInfo::exists(path))
            return QFileInfo(path).canonicalFilePath();
    }
    throw Error(QStringLiteral("application data file %1 not found; looked in: %2")
                    .arg(relativePath, dirs.join(QStringLiteral(", "))));
}

} // namespace ft
