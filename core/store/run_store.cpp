#include "store/run_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QSysInfo>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_export.h"
#include "store/dataset_store.h"
#include "store/store_sql.h"

namespace ft {

using namespace store;

namespace {

const char* const kStatusNames[] = {"queued", "running", "finished", "stopped", "diverged", "failed", "interrupted"};

const char* const kRunColumns =
    "id, name, status, mode, base_model_path, base_model_id, dataset_id, dataset_name, dataset_version, train_sha256, "
    "val_sha256, config, run_dir, pid, host, created, started, finished, tokens_seen, best_val_loss, notes, tags, "
    "message";

QString configText(const QJsonObject& config)
{
    return QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact));
}

QByteArray readSmallFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(4096);
}

} // namespace

QString runStatusName(RunStatus status) { return QLatin1String(kStatusNames[static_cast<int>(status)]); }

std::optional<RunStatus> runStatusFromName(const QString& name)
{
    for (int i = 0; i < 7; ++i) {
        if (name.trimmed().toLower() == QLatin1String(kStatusNames[i]))
            return static_cast<RunStatus>(i);
    }
    return std::nullopt;
}

bool isFinalStatus(RunStatus status) { return status != RunStatus::Queued && status != RunStatus::Running; }

QString thisHostName() { return QSysInfo::machineHostName(); }

bool isWorkerProcessAlive(qint64 pid, const QStringList& names)
{
    if (pid <= 0)
        return false;
    const QString proc = QStringLiteral("/proc/%1").arg(pid);
    if (!QFileInfo(proc).isDir())
        return false;
    // "pid (comm) S ...": a zombie has exited and only waits for its parent to collect it.
    const QByteArray stat = readSmallFile(proc + QStringLiteral("/stat"));
    const int close = stat.lastIndexOf(')');
    if (close > 0 && stat.size() > close + 2 && stat.at(close + 2) == 'Z')
        return false;
    const QString comm = QString::fromUtf8(readSmallFile(proc + QStringLiteral("/comm"))).trimmed();
    const QByteArray cmdline = readSmallFile(proc + QStringLiteral("/cmdline"));
    const QString argv0 = QFileInfo(QString::fromUtf8(cmdline.left(cmdline.indexOf('\0')))).fileName();
    for (const QString& name : names) {
        // comm is cut to 15 bytes by the kernel.
        if (comm == name.left(15) || argv0 == name)
            return true;
    }
    return false;
}

// The training worker: ftstudio-cli, which becomes ftstudio-engine by exec (app/cli/engine_launcher.h).
QStringList RunStore::defaultWorkerNames()
{
    return {QStringLiteral("ftstudio-cli"), QStringLiteral("ftstudio-engine")};
}

RunStore::RunStore(QSqlDatabase db, const QString& workspaceDir)
    : m_db(db)
    , m_workspaceDir(workspaceDir.isEmpty() ? QFileInfo(db.databaseName()).absolutePath() : workspaceDir)
{
}

QString RunStore::storedRunDir(const QString& runDir) const
{
    if (runDir.isEmpty())
        return QStringLiteral("");
    const QString absolute = QFileInfo(runDir).absoluteFilePath();
    const QString relative = QDir(m_workspaceDir).relativeFilePath(absolute);
    return relative.startsWith(QLatin1String("..")) ? absolute : relative;
}

void RunStore::requireUpdated(const QSqlQuery& query, qint64 id) const
{
    if (query.numRowsAffected() != 1)
        throw Error(QStringLiteral("run %1 does not exist").arg(id));
}

qint64 RunStore::createRun(const NewRun& run)
{
    return inTransaction(m_db, [&] {
        QString datasetName = run.datasetName;
        if (run.datasetId != 0 && datasetName.isEmpty()) {
            const auto dataset = DatasetStore(m_db).find(run.datasetId);
            if (!dataset)
                throw Error(QStringLiteral("dataset %1 does not exist").arg(run.datasetId));
            datasetName = dataset->name;
        }
        QSqlQuery query = prepareSql(
            m_db, QStringLiteral(
                      "INSERT INTO runs (name, status, mode, base_model_path, base_model_id, dataset_id, dataset_name, "
                      "dataset_version, train_sha256, val_sha256, config, run_dir, notes, tags, created) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        query.addBindValue(run.name.trimmed().isEmpty() ? QStringLiteral("run") : run.name.trimmed());
        query.addBindValue(runStatusName(run.status));
        query.addBindValue(text(run.mode));
        query.addBindValue(text(run.baseModelPath));
        query.addBindValue(text(run.baseModelId));
        query.addBindValue(run.datasetId != 0 ? QVariant(run.datasetId) : QVariant(QMetaType::fromType<qint64>()));
        query.addBindValue(text(datasetName));
        query.addBindValue(optionalToSql(run.datasetVersion));
        query.addBindValue(text(run.trainSha256));
        query.addBindValue(text(run.valSha256));
        query.addBindValue(configText(run.config));
        query.addBindValue(storedRunDir(run.runDir));
        query.addBindValue(text(run.notes));
        query.addBindValue(tagsToSql(sanitizeTags(run.tags)));
        query.addBindValue(nowMs());
        execPrepared(query);
        const qint64 id = query.lastInsertId().toLongLong();
        if (run.status != RunStatus::Queued)
            setStatus(id, run.status);
        return id;
    });
}

void RunStore::setStatus(qint64 id, RunStatus status, const QString& message)
{
    QString sql;
    if (status == RunStatus::Running)
        sql =
            QStringLiteral("UPDATE runs SET status = ?, message = ?, pid = ?, host = ?, started = coalesce(started, ?) "
                           "WHERE id = ?");
    else if (isFinalStatus(status))
        sql = QStringLiteral("UPDATE runs SET status = ?, message = ?, finished = ? WHERE id = ?");
    else
        sql = QStringLiteral("UPDATE runs SET status = ?, message = ? WHERE id = ?");
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, sql);
        query.addBindValue(runStatusName(status));
        query.addBindValue(text(message));
        if (status == RunStatus::Running) {
            query.addBindValue(QCoreApplication::applicationPid());
            query.addBindValue(thisHostName());
            query.addBindValue(nowMs());
        } else if (isFinalStatus(status)) {
            query.addBindValue(nowMs());
        }
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::setProgress(qint64 id, qint64 tokensSeen, std::optional<double> bestValLoss)
{
    inTransaction(m_db, [&] {
        QSqlQuery query =
            prepareSql(m_db, QStringLiteral("UPDATE runs SET tokens_seen = ?, best_val_loss = ? WHERE id = ?"));
        query.addBindValue(tokensSeen);
        query.addBindValue(optionalToSql(bestValLoss));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::setSnapshot(qint64 id, const TrainingSnapshot& snapshot)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE runs SET dataset_id = ?, dataset_name = ?, "
                                                          "dataset_version = ?, train_sha256 = ?, val_sha256 = ? "
                                                          "WHERE id = ?"));
        query.addBindValue(snapshot.datasetId != 0 ? QVariant(snapshot.datasetId)
                                                   : QVariant(QMetaType::fromType<qint64>()));
        query.addBindValue(text(snapshot.datasetName));
        query.addBindValue(snapshot.datasetVersion);
        query.addBindValue(text(snapshot.trainSha256));
        query.addBindValue(text(snapshot.valSha256));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::setConfig(qint64 id, const QJsonObject& config)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE runs SET config = ? WHERE id = ?"));
        query.addBindValue(configText(config));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::setRunDir(qint64 id, const QString& runDir)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE runs SET run_dir = ? WHERE id = ?"));
        query.addBindValue(storedRunDir(runDir));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::finishRun(qint64 id, RunStatus status, qint64 tokensSeen, std::optional<double> bestValLoss,
                         const QString& message)
{
    if (!isFinalStatus(status))
        throw Error(QStringLiteral("run %1: \"%2\" is not a final status").arg(id).arg(runStatusName(status)));
    inTransaction(m_db, [&] {
        setProgress(id, tokensSeen, bestValLoss);
        setStatus(id, status, message);
    });
}

qint64 RunStore::addCheckpoint(qint64 runId, qint64 step, const QString& path, std::optional<double> valLoss, bool best)
{
    return inTransaction(m_db, [&] {
        if (best) {
            QSqlQuery clear = prepareSql(m_db, QStringLiteral("UPDATE checkpoints SET best = 0 WHERE run_id = ?"));
            clear.addBindValue(runId);
            execPrepared(clear);
        }
        QSqlQuery query = prepareSql(m_db, QStringLiteral("INSERT OR REPLACE INTO checkpoints (run_id, step, path, "
                                                          "val_loss, best, created) VALUES (?, ?, ?, ?, ?, ?)"));
        query.addBindValue(runId);
        query.addBindValue(step);
        query.addBindValue(storedRunDir(path));
        query.addBindValue(optionalToSql(valLoss));
        query.addBindValue(best ? 1 : 0);
        query.addBindValue(nowMs());
        execPrepared(query);
        return query.lastInsertId().toLongLong();
    });
}

void RunStore::removeCheckpoint(qint64 runId, qint64 step)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("DELETE FROM checkpoints WHERE run_id = ? AND step = ?"));
        query.addBindValue(runId);
        query.addBindValue(step);
        execPrepared(query);
    });
}

std::vector<RunInfo> RunStore::selectRuns(const QString& where, const QVariantList& binds) const
{
    QSqlQuery query = prepareSql(
        m_db,
        QStringLiteral("SELECT %1 FROM runs %2 ORDER BY created DESC, id DESC").arg(QLatin1String(kRunColumns), where));
    query.setForwardOnly(true);
    for (const QVariant& value : binds)
        query.addBindValue(value);
    execPrepared(query);
    std::vector<RunInfo> result;
    while (query.next()) {
        RunInfo run;
        run.id = query.value(0).toLongLong();
        run.name = query.value(1).toString();
        run.status = runStatusFromName(query.value(2).toString()).value_or(RunStatus::Failed);
        run.mode = query.value(3).toString();
        run.baseModelPath = query.value(4).toString();
        run.baseModelId = query.value(5).toString();
        run.datasetId = optionalIntFromSql(query.value(6));
        run.datasetName = query.value(7).toString();
        run.datasetVersion = optionalIntFromSql(query.value(8));
        run.trainSha256 = query.value(9).toString();
        run.valSha256 = query.value(10).toString();
        run.config = QJsonDocument::fromJson(query.value(11).toString().toUtf8()).object();
        const QString dir = query.value(12).toString();
        run.runDir = dir.isEmpty() ? QString() : QDir(m_workspaceDir).absoluteFilePath(dir);
        run.pid = optionalIntFromSql(query.value(13));
        run.host = query.value(14).toString();
        run.created = query.value(15).toLongLong();
        run.started = optionalIntFromSql(query.value(16));
        run.finished = optionalIntFromSql(query.value(17));
        run.tokensSeen = query.value(18).toLongLong();
        run.bestValLoss = optionalDoubleFromSql(query.value(19));
        run.notes = query.value(20).toString();
        run.tags = tagsFromSql(query.value(21).toString());
        run.message = query.value(22).toString();
        result.push_back(std::move(run));
    }
    return result;
}

std::vector<RunInfo> RunStore::runs(std::optional<RunStatus> status)
{
    markInterruptedRuns();
    if (status)
        return selectRuns(QStringLiteral("WHERE status = ?"), {runStatusName(*status)});
    return selectRuns({}, {});
}

std::optional<RunInfo> RunStore::run(qint64 id)
{
    markInterruptedRuns();
    std::vector<RunInfo> found = selectRuns(QStringLiteral("WHERE id = ?"), {id});
    if (found.empty())
        return std::nullopt;
    return std::move(found.front());
}

RunInfo RunStore::resolve(const QString& idOrName)
{
    std::vector<RunInfo> all = runs();
    bool isNumber = false;
    const qint64 id = idOrName.toLongLong(&isNumber);
    std::vector<RunInfo*> byName;
    for (RunInfo& info : all) {
        if (isNumber && info.id == id)
            return info;
        if (info.name == idOrName)
            byName.push_back(&info);
    }
    if (byName.size() == 1)
        return *byName.front();
    if (byName.size() > 1)
        throw Error(QStringLiteral("%1 runs are named \"%2\"; name one by its id").arg(byName.size()).arg(idOrName));
    throw Error(QStringLiteral("no run \"%1\" in this workspace (see 'ftstudio-cli runs list')").arg(idOrName));
}

std::vector<CheckpointInfo> RunStore::checkpoints(qint64 runId) const
{
    QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT id, run_id, step, path, val_loss, best, created FROM "
                                                      "checkpoints WHERE run_id = ? ORDER BY step"));
    query.setForwardOnly(true);
    query.addBindValue(runId);
    execPrepared(query);
    std::vector<CheckpointInfo> result;
    while (query.next()) {
        CheckpointInfo checkpoint;
        checkpoint.id = query.value(0).toLongLong();
        checkpoint.runId = query.value(1).toLongLong();
        checkpoint.step = query.value(2).toLongLong();
        checkpoint.path = QDir(m_workspaceDir).absoluteFilePath(query.value(3).toString());
        checkpoint.valLoss = optionalDoubleFromSql(query.value(4));
        checkpoint.best = query.value(5).toInt() != 0;
        checkpoint.created = query.value(6).toLongLong();
        result.push_back(checkpoint);
    }
    return result;
}

void RunStore::rename(qint64 id, const QString& name)
{
    if (name.trimmed().isEmpty())
        throw Error(QStringLiteral("a run needs a name"));
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE runs SET name = ? WHERE id = ?"));
        query.addBindValue(name.trimmed());
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::setNotes(qint64 id, const QString& notes)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE runs SET notes = ? WHERE id = ?"));
        query.addBindValue(text(notes));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::setTags(qint64 id, const QStringList& tags)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE runs SET tags = ? WHERE id = ?"));
        query.addBindValue(tagsToSql(sanitizeTags(tags)));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

void RunStore::remove(qint64 id)
{
    inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("DELETE FROM runs WHERE id = ?"));
        query.addBindValue(id);
        execPrepared(query);
        requireUpdated(query, id);
    });
}

int RunStore::markInterruptedRuns(const QStringList& workerNames)
{
    struct Candidate {
        qint64 id;
        qint64 pid;
    };
    std::vector<Candidate> dead;
    {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT id, pid FROM runs WHERE status = 'running' AND "
                                                          "pid IS NOT NULL AND host = ?"));
        query.setForwardOnly(true);
        query.addBindValue(thisHostName());
        execPrepared(query);
        while (query.next()) {
            const qint64 pid = query.value(1).toLongLong();
            if (!isWorkerProcessAlive(pid, workerNames))
                dead.push_back({query.value(0).toLongLong(), pid});
        }
    }
    if (dead.empty())
        return 0;
    return inTransaction(m_db, [&] {
        int marked = 0;
        // Only if still running with that pid: a worker that just finished has written its own status.
        QSqlQuery query = prepareSql(
            m_db,
            QStringLiteral(
                "UPDATE runs SET status = 'interrupted', message = ? WHERE id = ? AND status = 'running' AND pid = ?"));
        for (const Candidate& run : dead) {
            query.bindValue(0, QStringLiteral("the worker process (pid %1 on %2) ended without recording a result")
                                   .arg(run.pid)
                                   .arg(thisHostName()));
            query.bindValue(1, run.id);
            query.bindValue(2, run.pid);
            execPrepared(query);
            marked += query.numRowsAffected();
        }
        return marked;
    });
}

} // namespace ft
