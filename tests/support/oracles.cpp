#include "support/oracles.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include "support/test_support.h"

namespace ft::test {

namespace {

bool holdsAll(const QString& dir, const QStringList& needed)
{
    if (dir.isEmpty())
        return false;
    for (const QString& path : needed)
        if (!QFileInfo::exists(QDir(dir).filePath(path)))
            return false;
    return true;
}

// What ../shared/tools/oracles/install printed last (the folder it installed into), or why it could not run.
struct Installed {
    QString dir;
    QString error;
};

const Installed& installOnce()
{
    static const Installed installed = [] {
        Installed result;
        const QString install = sharedPath(QStringLiteral("tools/oracles/install"));
        if (sharedDir().isEmpty() || !QFileInfo::exists(install)) {
            result.error = QStringLiteral("../shared/tools/oracles/install not found (set FT_SHARED_DIR)");
            return result;
        }
        QProcess process;
        process.start(QStringLiteral("sh"), {install});
        process.waitForFinished(600000);
        const QStringList lines = QString::fromUtf8(process.readAllStandardOutput()).trimmed().split(QLatin1Char('\n'));
        result.dir = lines.isEmpty() ? QString() : lines.last().trimmed();
        if (process.exitCode() != 0)
            result.error = QString::fromUtf8(process.readAllStandardError()).trimmed();
        return result;
    }();
    return installed;
}

} // namespace

bool oraclesRequired() { return qEnvironmentVariable("FT_REQUIRE_ORACLES") == QLatin1String("1"); }

QString oraclesDir(const QStringList& needed, QString* why)
{
    QString reason;
    QString dir;
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty()) {
        reason = QStringLiteral("node is not installed");
    } else if (holdsAll(qEnvironmentVariable("FT_ORACLES_DIR"), needed)) {
        dir = qEnvironmentVariable("FT_ORACLES_DIR");
    } else {
        const Installed& installed = installOnce();
        if (holdsAll(installed.dir, needed) && installed.error.isEmpty())
            dir = installed.dir;
        else
            reason = QStringLiteral("the oracles could not be installed: %1")
                         .arg(installed.error.isEmpty()
                                  ? QStringLiteral("%1 lacks %2").arg(installed.dir, needed.join(QStringLiteral(", ")))
                                  : installed.error);
    }
    if (why)
        *why = reason;
    return dir;
}

} // namespace ft::test
