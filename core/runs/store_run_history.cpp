#include "runs/store_run_history.h"

#include <algorithm>
#include <cmath>

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QSqlQuery>

#include "common/error.h"
#include "runs/detached_worker.h"
#include "store/database.h"
#include "store/evaluation_store.h"
#include "store/workspace.h"

namespace ft {

// What the table shows of a run's metrics, kept on the store thread for runs that have ended (their
// numbers no longer change), so that a re-read costs one query for the runs table only.
struct RunMetricCache {
    QHash<qint64, RecordedRun> ended; // run id -> the last read of an ended run (keyed also by its end time)
};

namespace {

constexpr int kDefaultPollMs = 2000;

double numberOrNaN(const QVariant& value) { return value.isNull() ? kNoValue : value.toDouble(); }

std::vector<RecordedRun> readRecordedRuns(const QString& path, RunMetricCache& cache)
{
    const Workspace workspace = Workspace::open(path);
    QSqlDatabase db = workspace.database();
    RunStore store(db, workspace.path());
    std::vector<RunInfo> runs = store.runs(); // also marks runs whose worker is gone as interrupted
    QHash<qint64, int> checkpointCounts;
    {
        QSqlQuery counts = prepareSql(db, QStringLiteral("SELECT run_id, count(*) FROM checkpoints GROUP BY run_id"));
        counts.setForwardOnly(true);
        execPrepared(counts);
        while (counts.next())
            checkpointCounts.insert(counts.value(0).toLongLong(), counts.value(1).toInt());
    }
    const std::map<qint64, LatestEvaluation> evaluations = EvaluationStore(db).latestEvaluations();
    // Runs with per-example outputs (ftstudio-cli eval keeps them; a training run's own final
    // evaluation has numbers only): what the Runs page's Examples… shows.
    QSet<qint64> withOutputs;
    {
        QSqlQuery query =
            prepareSql(db, QStringLiteral("SELECT DISTINCT r.run_id FROM run_evaluations r WHERE EXISTS "
                                          "(SELECT 1 FROM evaluation_outputs o WHERE o.run_evaluation_id = r.id)"));
        query.setForwardOnly(true);
        execPrepared(query);
        while (query.next())
            withOutputs.insert(query.value(0).toLongLong());
    }
    QSqlQuery last = prepareSql(
        db, QStringLiteral("SELECT step, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step DESC LIMIT 1"));
    last.setForwardOnly(true);
    auto lastPoint = [&](qint64 id, const QString& name) -> std::pair<qint64, double> {
        last.bindValue(0, id);
        last.bindValue(1, name);
        execPrepared(last);
        std::pair<qint64, double> point{0, kNoValue};
        if (last.next())
            point = {last.value(0).toLongLong(), numberOrNaN(last.value(1))};
        last.finish();
        return point;
    };
    std::vector<RecordedRun> result;
    result.reserve(runs.size());
    QHash<qint64, RecordedRun> ended;
    for (RunInfo& info : runs) {
        RecordedRun run;
        const auto cached = cache.ended.constFind(info.id);
        if (isFinalStatus(info.status) && cached != cache.ended.constEnd() && cached->info.finished == info.finished &&
            cached->info.status == info.status) {
            run = *cached;
        } else {
            const auto [step, loss] = lastPoint(info.id, QStringLiteral("loss"));
            run.lastStep = step;
            run.lastLoss = loss;
            run.elapsed = lastPoint(info.id, QStringLiteral("elapsed")).second;
        }
        run.info = std::move(info);
        run.checkpoints = checkpointCounts.value(run.info.id);
        if (const auto evaluation = evaluations.find(run.info.id); evaluation != evaluations.end()) {
            run.evaluation = evaluation->second.label;
            run.evalMetrics = QMap<QString, double>(evaluation->second.metrics);
        }
        run.evaluationOutputs = withOutputs.contains(run.info.id);
        if (isFinalStatus(run.info.status))
            ended.insert(run.info.id, run);
        result.push_back(std::move(run));
    }
    cache.ended = std::move(ended);
    return result;
}

QString cleanDir(const QString& dir) { return QDir::cleanPath(QFileInfo(dir).absoluteFilePath()); }

RunStatus storeStatusOf(const QString& status)
{
    if (status == QLatin1String("cancelled"))
        return RunStatus::Stopped;
    return runStatusFromName(status).value_or(RunStatus::Failed);
}

} // namespace

QString datasetLabel(const RunInfo& run)
{
    if (run.datasetName.isEmpty())
        return QFileInfo(run.config.value(QStringLiteral("train_file")).toString()).fileName();
    if (run.datasetId && run.datasetVersion && *run.datasetVersion > 0)
        return QStringLiteral("%1 v%2").arg(run.datasetName).arg(*run.datasetVersion);
    return run.datasetName;
}

StoreRunHistory::StoreRunHistory(RunQueue* queue, QObject* parent)
    : RunHistory(parent)
    , m_queue(queue)
    , m_store(std::make_unique<StoreThread>())
{
    m_pollTimer.setInterval(kDefaultPollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &StoreRunHistory::refresh);
    m_soonTimer.setSingleShot(true);
    connect(&m_soonTimer, &QTimer::timeout, this, &StoreRunHistory::refresh);

    connect(queue, &RunQueue::jobAdded, this, [this](int id) {
        if (const RunJob* job = m_queue->job(id)) {
            if (job->request.runId > 0)
                m_jobOfRun.insert(job->request.runId, id);
            if (!job->request.runDir.isEmpty())
                m_jobOfDir.insert(cleanDir(job->request.runDir), id);
        }
        rebuild();
    });
    connect(queue, &RunHistory::runChanged, this, &StoreRunHistory::onJobChanged);
    connect(queue, &RunQueue::jobStarted, this, [this] { scheduleRefresh(300); });
    connect(queue, &RunQueue::jobEnded, this,
            [this](int id, const RunEndInfo& end) { recordJobEnd(id, end.status, end.message); });
    rebuild();
}

StoreRunHistory::~StoreRunHistory()
{
    blockSignals(true);
    m_store.reset(); // finishes the writes already posted
}

QString StoreRunHistory::databasePath() const
{
    return m_workspace.isEmpty() ? QString() : QDir(m_workspace).filePath(QStringLiteral("studio.db"));
}

void StoreRunHistory::setWorkspace(const QString& path)
{
    const QString absolute = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    if (absolute == m_workspace && (m_loaded || m_reading))
        return;
    m_workspace = absolute;
    ++m_generation;
    m_loaded = false;
    m_recorded.clear();
    m_recordedIndex.clear();
    m_runOfDir.clear();
    m_cache.reset();
    rebuild();
    if (m_workspace.isEmpty()) {
        m_pollTimer.stop();
        return;
    }
    m_reading = false; // a read of the previous workspace is dropped when it arrives
    refresh();
    if (m_pollTimer.interval() > 0)
        m_pollTimer.start();
}

void StoreRunHistory::setRefreshInterval(int milliseconds)
{
    m_pollTimer.stop();
    m_pollTimer.setInterval(milliseconds);
    if (milliseconds > 0 && !m_workspace.isEmpty())
        m_pollTimer.start();
}

void StoreRunHistory::scheduleRefresh(int delayMs)
{
    if (!m_soonTimer.isActive() || m_soonTimer.remainingTime() > delayMs)
        m_soonTimer.start(delayMs);
}

void StoreRunHistory::refresh()
{
    if (m_workspace.isEmpty())
        return;
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    m_readAgain = false;
    const int generation = m_generation;
    const QString path = m_workspace;
    if (!m_cache)
        m_cache = std::make_shared<RunMetricCache>(); // one per workspace, touched only on the store thread
    const std::shared_ptr<RunMetricCache> cache = m_cache;
    m_store->post(
        this, [path, cache] { return readRecordedRuns(path, *cache); },
        [this, generation](std::vector<RecordedRun> runs, const QString& error) {
            applyRead(generation, std::move(runs), error);
        });
}

void StoreRunHistory::applyRead(int generation, std::vector<RecordedRun> runs, const QString& error)
{
    if (generation != m_generation)
        return; // a read of a workspace no longer shown
    m_reading = false;
    if (!error.isEmpty()) {
        emit storeError(error);
    } else {
        m_recorded = std::move(runs);
        m_recordedIndex.clear();
        m_runOfDir.clear();
        for (size_t i = 0; i < m_recorded.size(); ++i) {
            m_recordedIndex.insert(m_recorded[i].info.id, static_cast<int>(i));
            if (!m_recorded[i].info.runDir.isEmpty())
                m_runOfDir.insert(cleanDir(m_recorded[i].info.runDir), m_recorded[i].info.id);
        }
        m_loaded = true;
        rebuild();
        emit refreshed();
    }
    if (m_readAgain)
        refresh();
}

const RecordedRun* StoreRunHistory::recorded(qint64 runId) const
{
    const auto it = m_recordedIndex.constFind(runId);
    return it == m_recordedIndex.constEnd() ? nullptr : &m_recorded[static_cast<size_t>(*it)];
}

int StoreRunHistory::jobOfRun(qint64 runId) const
{
    if (const int job = m_jobOfRun.value(runId))
        return job;
    if (const RecordedRun* run = recorded(runId); run && !run->info.runDir.isEmpty())
        return m_jobOfDir.value(cleanDir(run->info.runDir));
    return 0;
}

qint64 StoreRunHistory::runIdOfJob(const RunJob& job) const
{
    if (job.request.runId > 0)
        return job.request.runId;
    return job.request.runDir.isEmpty() ? 0 : m_runOfDir.value(cleanDir(job.request.runDir));
}

QString StoreRunHistory::keyOfJob(const RunJob& job) const
{
    const qint64 runId = runIdOfJob(job);
    return runId > 0 ? QStringLiteral("run:%1").arg(runId) : QStringLiteral("job:%1").arg(job.id);
}

QStringList StoreRunHistory::baseModels() const
{
    QStringList models;
    for (const RecordedRun& run : m_recorded)
        if (!run.info.baseModelPath.isEmpty() && !models.contains(run.info.baseModelPath))
            models << run.info.baseModelPath;
    return models;
}

RunSummary StoreRunHistory::runAt(int index) const
{
    return index >= 0 && index < m_rows.size() ? m_rows.at(index) : RunSummary{};
}

int StoreRunHistory::indexOfKey(const QString& key) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].key == key)
            return i;
    return -1;
}

int StoreRunHistory::indexOfRun(qint64 runId) const { return indexOfKey(QStringLiteral("run:%1").arg(runId)); }

RunSummary StoreRunHistory::summaryOf(const RecordedRun& run) const
{
    const RunInfo& info = run.info;
    RunSummary s;
    s.key = QStringLiteral("run:%1").arg(info.id);
    s.runId = info.id;
    s.name = info.name;
    s.status = runStatusName(info.status);
    s.mode = info.mode;
    s.baseModel = info.baseModelPath;
    s.dataset = datasetLabel(info);
    s.runDir = info.runDir;
    s.message = info.message;
    s.step = run.lastStep;
    s.totalSteps = info.config.value(QStringLiteral("max_steps")).toInteger();
    s.tokens = info.tokensSeen;
    s.lastLoss = run.lastLoss;
    s.bestValLoss = info.bestValLoss.value_or(kNoValue);
    if (std::isfinite(run.elapsed))
        s.elapsedSeconds = run.elapsed;
    else if (info.started)
        s.elapsedSeconds =
            static_cast<double>(info.finished.value_or(info.status == RunStatus::Running ? nowMs() : *info.started) -
                                *info.started) /
            1000.0;
    s.created = QDateTime::fromMSecsSinceEpoch(info.created);
    s.tags = info.tags;
    s.notes = info.notes;
    s.checkpoints = run.checkpoints;
    s.evaluation = run.evaluation;
    s.evalMetrics = run.evalMetrics;
    s.evaluationOutputs = run.evaluationOutputs;
    return s;
}

RunSummary StoreRunHistory::summaryOfJob(const RunJob& job) const
{
    const int index = [&] {
        const QList<int> ids = m_queue->jobIds();
        return static_cast<int>(ids.indexOf(job.id));
    }();
    RunSummary live = m_queue->runAt(index);
    const qint64 runId = runIdOfJob(job);
    const RecordedRun* run = runId > 0 ? recorded(runId) : nullptr;
    if (!run) {
        live.key = keyOfJob(job);
        live.runId = runId;
        live.checkpoints = job.trace.checkpoints.size();
        return live;
    }
    // The record, brought up to date by the live events while the job is waiting or running.
    RunSummary s = summaryOf(*run);
    s.jobId = job.id;
    const bool waitingOrActive = job.status == QLatin1String("queued") || job.worker->isActive();
    if (waitingOrActive || !isFinalStatus(run->info.status))
        s.status = job.status;
    if (job.trace.lastStep() && (waitingOrActive || job.trace.lastStep()->step >= s.step)) {
        s.step = live.step;
        s.lastLoss = live.lastLoss;
        if (live.tokens > s.tokens)
            s.tokens = live.tokens;
        s.elapsedSeconds = live.elapsedSeconds;
        if (live.totalSteps > 0)
            s.totalSteps = live.totalSteps;
    }
    if (std::isfinite(live.bestValLoss) && !(s.bestValLoss <= live.bestValLoss))
        s.bestValLoss = live.bestValLoss;
    if (s.message.isEmpty())
        s.message = live.message;
    s.checkpoints = std::max(s.checkpoints, static_cast<int>(job.trace.checkpoints.size()));
    return s;
}

void StoreRunHistory::rebuild()
{
    // The rows as they should be: recorded runs (newest first) and this session's jobs without a row
    // yet, ordered by creation.
    QVector<RunSummary> target;
    QSet<qint64> shown;
    for (const RecordedRun& run : m_recorded) {
        const int jobId = jobOfRun(run.info.id);
        const RunJob* job = jobId ? m_queue->job(jobId) : nullptr;
        target.append(job ? summaryOfJob(*job) : summaryOf(run));
        shown.insert(run.info.id);
    }
    for (int id : m_queue->jobIds()) {
        const RunJob* job = m_queue->job(id);
        const qint64 runId = runIdOfJob(*job);
        if (runId > 0 && (shown.contains(runId) || jobOfRun(runId) != id))
            continue;
        target.append(summaryOfJob(*job));
    }
    std::stable_sort(target.begin(), target.end(),
                     [](const RunSummary& a, const RunSummary& b) { return a.created > b.created; });

    // Turn the current rows into the target with the fewest signals: removals, then insertions and moves, then changes.
    QSet<QString> targetKeys;
    for (const RunSummary& s : target)
        targetKeys.insert(s.key);
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        if (!targetKeys.contains(m_rows[i].key)) {
            m_rows.remove(i);
            emit runRemoved(i);
        }
    }
    for (int i = 0; i < target.size(); ++i) {
        if (i < m_rows.size() && m_rows[i].key == target[i].key)
            continue;
        int existing = -1;
        for (int j = i + 1; j < m_rows.size(); ++j)
            if (m_rows[j].key == target[i].key) {
                existing = j;
                break;
            }
        if (existing >= 0) {
            m_rows.remove(existing);
            emit runRemoved(existing);
        }
        m_rows.insert(i, target[i]);
        emit runInserted(i);
    }
    for (int i = 0; i < target.size(); ++i) {
        const RunSummary& a = m_rows[i];
        const RunSummary& b = target[i];
        auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
        const bool changed = a.name != b.name || a.status != b.status || a.step != b.step ||
                             a.totalSteps != b.totalSteps || a.tokens != b.tokens || !same(a.lastLoss, b.lastLoss) ||
                             !same(a.bestValLoss, b.bestValLoss) || !same(a.elapsedSeconds, b.elapsedSeconds) ||
                             a.tags != b.tags || a.notes != b.notes || a.message != b.message ||
                             a.dataset != b.dataset || a.mode != b.mode || a.baseModel != b.baseModel ||
                             a.runDir != b.runDir || a.jobId != b.jobId || a.checkpoints != b.checkpoints ||
                             a.created != b.created || a.evaluation != b.evaluation || a.evalMetrics != b.evalMetrics ||
                             a.evaluationOutputs != b.evaluationOutputs;
        if (changed) {
            m_rows[i] = b;
            emit runChanged(i);
        }
    }
}

void StoreRunHistory::onJobChanged(int queueIndex)
{
    const QList<int> ids = m_queue->jobIds();
    if (queueIndex < 0 || queueIndex >= ids.size())
        return;
    const RunJob* job = m_queue->job(ids[queueIndex]);
    if (job->status == QLatin1String("cancelled") && !m_endRecorded.contains(job->id))
        recordJobEnd(job->id, job->status, QStringLiteral("cancelled before it started"));
    const qint64 runId = runIdOfJob(*job);
    const int row = indexOfKey(keyOfJob(*job));
    if (row < 0 || (runId > 0 && jobOfRun(runId) != job->id)) {
        rebuild();
        return;
    }
    m_rows[row] = summaryOfJob(*job);
    emit runChanged(row);
}

void StoreRunHistory::recordJobEnd(int jobId, const QString& status, const QString& message)
{
    const RunJob* job = m_queue->job(jobId);
    if (!job)
        return;
    m_endRecorded.insert(jobId, status);
    if (job->request.runId <= 0 || m_workspace.isEmpty()) {
        rebuild();
        return;
    }
    // The worker records its own end. A run that never got that far (cancelled while queued, a worker
    // that could not start or refused before recording) would stay `queued`: the studio records it.
    const qint64 runId = job->request.runId;
    const QString path = m_workspace;
    const RunStatus final = storeStatusOf(status);
    const qint64 tokens = job->trace.lastStep() ? job->trace.lastStep()->tokens : 0;
    m_store->post(
        this,
        [path, runId, final, tokens, message] {
            const Workspace workspace = Workspace::open(path);
            RunStore store(workspace.database(), workspace.path());
            const std::optional<RunInfo> run = store.run(runId);
            if (run && run->status == RunStatus::Queued)
                store.finishRun(runId, final, tokens, run->bestValLoss, message);
        },
        [this](const QString& error) {
            if (!error.isEmpty())
                emit storeError(error);
            refresh();
        });
    rebuild();
}

void StoreRunHistory::write(qint64 runId, std::function<void(RunStore&)> work, Done done)
{
    if (m_workspace.isEmpty()) {
        if (done)
            done(tr("no workspace is open"));
        return;
    }
    const QString path = m_workspace;
    m_store->post(
        this,
        [path, runId, work] {
            const Workspace workspace = Workspace::open(path);
            RunStore store(workspace.database(), workspace.path());
            work(store);
            Q_UNUSED(runId);
        },
        [this, done](const QString& error) {
            if (!error.isEmpty())
                emit storeError(error);
            if (done)
                done(error);
            refresh();
        });
}

void StoreRunHistory::rename(qint64 runId, const QString& name, Done done)
{
    write(
        runId, [runId, name](RunStore& store) { store.rename(runId, name); }, std::move(done));
}

void StoreRunHistory::setNotes(qint64 runId, const QString& notes, Done done)
{
    write(
        runId, [runId, notes](RunStore& store) { store.setNotes(runId, notes); }, std::move(done));
}

void StoreRunHistory::setTags(qint64 runId, const QStringList& tags, Done done)
{
    write(
        runId, [runId, tags](RunStore& store) { store.setTags(runId, tags); }, std::move(done));
}

void StoreRunHistory::remove(qint64 runId, bool withFolder, Done done)
{
    if (const RunJob* job = m_queue->job(jobOfRun(runId));
        job && (job->worker->isActive() || job->status == QLatin1String("queued"))) {
        if (done)
            done(tr("the run is still queued or training; stop it first"));
        return;
    }
    const QString path = m_workspace;
    write(
        runId,
        [path, runId, withFolder](RunStore& store) {
            const std::optional<RunInfo> run = store.run(runId);
            if (!run)
                throw Error(QStringLiteral("run %1 does not exist").arg(runId));
            if (run->status == RunStatus::Running)
                throw Error(QStringLiteral("run \"%1\" is still training (worker pid %2 on %3); stop it first")
                                .arg(run->name)
                                .arg(run->pid.value_or(0))
                                .arg(run->host));
            store.remove(runId);
            if (withFolder && !run->runDir.isEmpty() && !Workspace::open(path).removeRunFolder(run->runDir))
                throw Error(
                    QStringLiteral(
                        "the run was deleted, but its folder %1 lies outside the workspace's runs folder and was kept")
                        .arg(run->runDir));
        },
        std::move(done));
}

bool StoreRunHistory::isDetachedRunning(qint64 runId) const
{
    const RecordedRun* run = recorded(runId);
    return run && run->info.status == RunStatus::Running && jobOfRun(runId) == 0 && run->info.host == thisHostName();
}

QString StoreRunHistory::stopDetached(qint64 runId)
{
    const RecordedRun* run = recorded(runId);
    if (!run)
        return tr("run %1 is not in the history").arg(runId);
    const QString error = stopDetachedRun(run->info);
    if (error.isEmpty())
        scheduleRefresh(500); // the worker records "stopped" when its step is done
    return error;
}

QString StoreRunHistory::controlDetached(qint64 runId, const QString& command)
{
    const RecordedRun* run = recorded(runId);
    if (!run)
        return tr("run %1 is not in the history").arg(runId);
    return sendToDetachedRun(run->info, command);
}

int StoreRunHistory::resume(qint64 runId)
{
    const RecordedRun* run = recorded(runId);
    if (!run || m_workspace.isEmpty())
        return 0;
    RunRequest request;
    request.name = run->info.name;
    request.runDir = run->info.runDir;
    request.resume = true;
    request.mode = run->info.mode;
    request.baseModel = run->info.baseModelPath;
    request.dataset = datasetLabel(run->info);
    request.workspace = m_workspace;
    request.runId = runId;
    return m_queue->enqueue(request);
}

} // namespace ft
