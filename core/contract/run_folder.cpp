#include "contract/run_folder.h"

#include <atomic>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include "common/atomic_write.h"
#include "common/error.h"
#include "common/json_file.h"
#include "contract/train_config.h"

namespace ft {

RunFolder::RunFolder(const QString& path)
    : m_path(QFileInfo(path).absoluteFilePath())
{
}

QString RunFolder::slug(const QString& runName)
{
    static const QRegularExpression unsafe(QStringLiteral("[^a-z0-9_.-]+"));
    QString slug = runName.trimmed().toLower().replace(unsafe, QStringLiteral("-"));
    while (slug.startsWith(QLatin1Char('-')) || slug.startsWith(QLatin1Char('.')))
        slug.remove(0, 1);
    slug = slug.left(40);
    while (slug.endsWith(QLatin1Char('-')))
        slug.chop(1);
    return slug.isEmpty() ? QStringLiteral("run") : slug;
}

RunFolder RunFolder::create(const QString& runsDir, const QString& runName, const QDateTime& now)
{
    QDir runs(runsDir);
    if (!runs.mkpath(QStringLiteral(".")))
        throw Error(QStringLiteral("%1: cannot create the runs folder").arg(runsDir));
    const QString base = QStringLiteral("%1-%2").arg(now.toString(QStringLiteral("yyyyMMdd-HHmmss")), slug(runName));
    for (int n = 1;; ++n) {
        const QString name = n == 1 ? base : QStringLiteral("%1-%2").arg(base).arg(n);
        if (runs.exists(name))
            continue;
        // mkdir is the claim: of two processes choosing the same name, one gets it.
        if (!runs.mkdir(name)) {
            if (runs.exists(name))
                continue;
            throw Error(QStringLiteral("%1: cannot create the run folder").arg(runs.filePath(name)));
        }
        return RunFolder(runs.absoluteFilePath(name));
    }
}

QString RunFolder::configPath() const { return QDir(m_path).filePath(QStringLiteral("config.json")); }
QString RunFolder::dataPath() const { return QDir(m_path).filePath(QStringLiteral("data")); }
QString RunFolder::trainDataPath() const { return QDir(m_path).filePath(QStringLiteral("data/train.jsonl")); }
QString RunFolder::valDataPath() const { return QDir(m_path).filePath(QStringLiteral("data/val.jsonl")); }
QString RunFolder::checkpointsPath() const { return QDir(m_path).filePath(QStringLiteral("checkpoints")); }
QString RunFolder::exportModelPath() const { return QDir(m_path).filePath(QStringLiteral("export/model")); }
QString RunFolder::exportAdapterPath() const { return QDir(m_path).filePath(QStringLiteral("export/adapter")); }
QString RunFolder::eventsPath() const { return QDir(m_path).filePath(QStringLiteral("events.jsonl")); }
QString RunFolder::logPath() const { return QDir(m_path).filePath(QStringLiteral("log.txt")); }
QString RunFolder::controlPath() const { return QDir(m_path).filePath(QStringLiteral("control")); }

void RunFolder::sendCommand(const QString& command) const
{
    static const QStringList known{QStringLiteral("stop"), QStringLiteral("pause"), QStringLiteral("resume"),
                                   QStringLiteral("checkpoint")};
    if (!known.contains(command))
        throw Error(QStringLiteral("unknown worker command \"%1\" (expected %2)")
                        .arg(command, known.join(QStringLiteral(", "))));
    if (!QDir().mkpath(controlPath()))
        throw Error(QStringLiteral("%1: cannot create the control folder").arg(controlPath()));
    // Named by time and a counter: sorted by name, the commands come in the order they were sent.
    static std::atomic<int> counter{0};
    const QString name = QStringLiteral("%1-%2-%3.cmd")
                             .arg(QDateTime::currentMSecsSinceEpoch(), 15, 10, QLatin1Char('0'))
                             .arg(QCoreApplication::applicationPid())
                             .arg(counter.fetch_add(1), 6, 10, QLatin1Char('0'));
    writeFileAtomically(QDir(controlPath()).filePath(name), command.toUtf8() + '\n');
}

QStringList RunFolder::takeCommands(const QDateTime& notBefore) const
{
    QStringList commands;
    const QDir dir(controlPath());
    for (const QString& name : dir.entryList({QStringLiteral("*.cmd")}, QDir::Files, QDir::Name)) {
        const QString claimed = dir.filePath(name + QStringLiteral(".taken"));
        if (!QFile::rename(dir.filePath(name), claimed))
            continue; // another reader took it, or the folder cannot be written: never applied twice
        QFile file(claimed);
        const bool stale = notBefore.isValid() && QFileInfo(claimed).lastModified() < notBefore;
        if (!stale && file.open(QIODevice::ReadOnly))
            commands << QString::fromUtf8(file.readAll()).trimmed();
        file.close();
        QFile::remove(claimed);
    }
    return commands;
}

void RunFolder::markPaused(bool paused) const
{
    const QString marker = QDir(controlPath()).filePath(QStringLiteral("paused"));
    if (!paused) {
        QFile::remove(marker);
        return;
    }
    if (QDir().mkpath(controlPath())) {
        QFile file(marker);
        (void)file.open(QIODevice::WriteOnly); // best effort: only a display hint
    }
}

bool RunFolder::isPaused() const { return QFileInfo::exists(QDir(controlPath()).filePath(QStringLiteral("paused"))); }

bool RunFolder::hasStarted() const { return QFileInfo(checkpointsPath()).isDir(); }

void RunFolder::markStarted() const
{
    if (!QDir().mkpath(checkpointsPath()))
        throw Error(QStringLiteral("%1: cannot create the checkpoints folder").arg(checkpointsPath()));
}

std::vector<RunCheckpoint> RunFolder::checkpoints() const
{
    static const QRegularExpression stepFolder(QStringLiteral("^step-(\\d+)$"));
    const QDir dir(checkpointsPath());
    QString bestName;
    try {
        if (dir.exists(QStringLiteral("best.json")))
            bestName = readJsonObjectFile(dir.filePath(QStringLiteral("best.json")))
                           .value(QStringLiteral("checkpoint"))
                           .toString();
    } catch (const Error&) {
    }
    std::vector<RunCheckpoint> found;
    for (const QString& name : dir.entryList({QStringLiteral("step-*")}, QDir::Dirs, QDir::Name)) {
        const QRegularExpressionMatch match = stepFolder.match(name);
        if (!match.hasMatch() || !QFileInfo::exists(dir.filePath(name + QStringLiteral("/state.json"))))
            continue;
        const qint64 step = match.captured(1).toLongLong();
        found.push_back({dir.filePath(name), QStringLiteral("step-%1").arg(step), step, name == bestName});
    }
    return found;
}

void RunFolder::writeRequest(const TrainConfig& config) const
{
    if (hasStarted())
        throw Error(QStringLiteral("%1 already holds a run").arg(m_path));
    writeFileAtomically(configPath(), QJsonDocument(config.toJson()).toJson(QJsonDocument::Indented));
}

} // namespace ft
