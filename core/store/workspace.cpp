#include "store/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "common/error.h"
#include "data/sample_dataset.h"
#include "store/database.h"
#include "store/dataset_import.h"

namespace ft {

QString Workspace::defaultPath()
{
    const QString fromEnv = qEnvironmentVariable("FT_WORKSPACE");
    if (!fromEnv.isEmpty())
        return QFileInfo(fromEnv).absoluteFilePath();
    // AppDataLocation is <GenericDataLocation>/<organisation>/<application>; composed here so that a
    // program named differently (a test, a benchmark) still finds the studio's workspace.
    if (QCoreApplication::organizationName() == QLatin1String("FineTune Studio") &&
        QCoreApplication::applicationName() == QLatin1String("ftstudio"))
        return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("FineTune Studio/ftstudio"));
}

Workspace Workspace::open(const QString& dir, const WorkspaceOptions& options)
{
    Workspace workspace;
    workspace.m_path = QFileInfo(dir.isEmpty() ? defaultPath() : dir).absoluteFilePath();
    if (QFileInfo(workspace.m_path).exists() && !QFileInfo(workspace.m_path).isDir())
        throw Error(QStringLiteral("%1: is a file, not a workspace folder").arg(workspace.m_path));
    if (!QDir().mkpath(workspace.runsPath()))
        throw Error(QStringLiteral("%1: cannot create the workspace folder").arg(workspace.runsPath()));

    const QFileInfo database(workspace.databasePath());
    workspace.m_created = !database.exists() || database.size() == 0;
    QSqlDatabase db = workspace.database(); // creates and migrates
    if (workspace.m_created && options.seedSampleDataset) {
        try {
            inTransaction(db, [&] {
                // Another process opening the same new workspace may have seeded it already.
                if (scalarSql(db, QStringLiteral("SELECT count(*) FROM datasets")).toLongLong() == 0)
                    seedSampleDataset(db);
            });
        } catch (const Error& error) {
            workspace.m_warnings << QStringLiteral("the sample dataset was not added: %1").arg(error.message());
        }
    }
    return workspace;
}

QString Workspace::databasePath() const { return QDir(m_path).filePath(QStringLiteral("studio.db")); }

QString Workspace::runsPath() const { return QDir(m_path).filePath(QStringLiteral("runs")); }

QSqlDatabase Workspace::database() const { return threadConnection(databasePath()); }

bool Workspace::removeRunFolder(const QString& runDir) const
{
    if (runDir.isEmpty() || !QFileInfo::exists(runDir))
        return true;
    const QString runs = QFileInfo(runsPath()).canonicalFilePath() + QLatin1Char('/');
    const QString target = QFileInfo(runDir).canonicalFilePath();
    if (target.isEmpty() || !target.startsWith(runs) || target.size() <= runs.size())
        return false;
    return QDir(target).removeRecursively();
}

qint64 seedSampleDataset(QSqlDatabase db)
{
    ImportOptions options;
    options.format = DatasetFormat::Studio;
    DatasetImportTarget target;
    target.newName = QStringLiteral("Sample");
    target.newDescription =
        QStringLiteral("216 varied instruction/response pairs written for FineTune Studio, with a few "
                       "deliberate duplicates and fake personal data for the curation tools to find.");
    return importDataset(db, sampleDatasetPath(), options, target).datasetId;
}

} // namespace ft
