#include "support/test_support.h"

#include <QDir>
#include <QFileInfo>

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

} // namespace ft::test
