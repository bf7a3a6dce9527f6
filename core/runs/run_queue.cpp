#include "runs/run_queue.h"

#include <QFileInfo>
#include <QTimer>

#include "common/error.h"
#include "contract/run_folder.h"

namespace ft {

QStringList RunRequest::trainArguments() const
{
    QStringList arguments{resume ? QStringLiteral("--resume") : QStringLiteral("--run"), runDir};
    if (!workspace.isEmpty())
        arguments << QStringLiteral("--workspace") << workspace;
    if (runId > 0)
        arguments << QStringLiteral("--run-id") << QString::number(runId);
    if (!name.isEmpty() && !resume) // the history keeps the name the user gave, not the folder's
        arguments << QStringLiteral("--name") << name;
    if (datasetId > 0 && !resume)
        arguments << QStringLiteral("--dataset-id") << QString::number(datasetId) << QStringLiteral("--train-split")
                  << trainSplit << QStringLiteral("--val-split") << valSplit;
    return arguments;
}

RunRequest prepareRunRequest(const RunFolder& folder, TrainConfig config, const QString& name, const RunData& data)
{
    RunRequest request;
    if (data.datasetId > 0) {
        config.trainFile = folder.trainDataPath();
        config.valFile = data.valSplit == QLatin1String("none") ? QString() : folder.valDataPath();
        request.dataset = data.datasetName;
        request.datasetId = data.datasetId;
        request.trainSplit = data.trainSplit;
        request.valSplit = data.valSplit;
    } else {
        request.dataset = config.trainFile;
    }
    folder.writeRequest(config);
    request.name = name;
    request.runDir = folder.path();
    request.mode = config.mode;
    request.baseModel = config.model;
    request.workspace = data.workspace;
    return request;
}

RunQueue::RunQueue(QObject* parent)
    : RunHistory(parent)
{
}

RunQueue::~RunQueue()
{
    // The workers are children: each stops its worker gracefully rather than killing it (see
    // WorkerProcess). Nobody listens any more.
    blockSignals(true);
}

void RunQueue::setMaxConcurrent(int count)
{
    m_maxConcurrent = std::max(1, count);
    startWaiting();
}

namespace {

// What a resumed run reported before (its events.jsonl, which the new session appends to), so that the
// monitor shows one run with one continuous curve. Its ending is forgotten: the run goes on. A file that
// cannot be read leaves the trace empty (the new session's points still come).
RunTrace earlierSessions(const QString& runDir)
{
    const QString events = RunFolder(runDir).eventsPath();
    if (!QFileInfo::exists(events))
        return {};
    try {
        RunTrace trace = RunTrace::loadEventLog(events);
        trace.hasEnd = false;
        trace.end = {};
        trace.paused = false;
        return trace;
    } catch (const Error&) {
        return {};
    }
}

} // namespace

int RunQueue::enqueue(const RunRequest& request)
{
    auto job = std::make_unique<RunJob>();
    job->id = m_nextId++;
    job->request = request;
    job->created = QDateTime::currentDateTime();
    job->worker = new WorkerProcess(this);
    job->worker->setStepBatchInterval(m_batchInterval);
    if (!m_cliPath.isEmpty())
        job->worker->setCliPath(m_cliPath);
    const int id = job->id;
    WorkerProcess* worker = job->worker;
    RunTrace* trace = &job->trace;
    if (request.resume)
        *trace = earlierSessions(request.runDir);

    connect(worker, &WorkerProcess::started, this, [this, id, trace](const RunStartInfo& info) {
        trace->apply(info);
        changed(id);
    });
    connect(worker, &WorkerProcess::steps, this, [this, id, trace](const QVector<StepPoint>& points) {
        trace->appendSteps(points);
        emit jobProgress(id);
        changed(id);
    });
    connect(worker, &WorkerProcess::evaluated, this, [this, id, trace](const EvalPoint& eval) {
        trace->apply(eval);
        changed(id);
    });
    connect(worker, &WorkerProcess::sampled, this, [trace](const SamplePoint& sample) { trace->apply(sample); });
    connect(worker, &WorkerProcess::checkpointed, this, [trace](const CheckpointPoint& c) { trace->apply(c); });
    connect(worker, &WorkerProcess::logLine, this,
            [trace](const QString& level, const QString& text) { trace->appendLog(level, text); });
    connect(worker, &WorkerProcess::pausedChanged, this, [this, id, trace](bool paused) {
        trace->apply(PausedEvent{paused});
        if (RunJob* j = find(id); j && !trace->hasEnd)
            j->status = paused ? QStringLiteral("paused") : QStringLiteral("running");
        changed(id);
    });
    connect(worker, &WorkerProcess::ended, this, [this, id, trace](const RunEndInfo& end) {
        trace->apply(end);
        if (RunJob* j = find(id)) {
            j->status = end.status;
            j->endedAt = QDateTime::currentDateTime();
        }
        changed(id);
        emit jobEnded(id, end);
        emit activityChanged(activeCount(), queuedCount());
        // The next job starts from the event loop, after everyone has seen this one end.
        QTimer::singleShot(0, this, &RunQueue::startWaiting);
    });

    m_jobs.push_back(std::move(job));
    emit runInserted(runCount() - 1);
    emit jobAdded(id);
    emit activityChanged(activeCount(), queuedCount());
    startWaiting();
    return id;
}

void RunQueue::cancel(int id)
{
    RunJob* job = find(id);
    if (!job)
        return;
    if (job->status == QLatin1String("queued")) {
        job->status = QStringLiteral("cancelled");
        job->endedAt = QDateTime::currentDateTime();
        changed(id);
        emit activityChanged(activeCount(), queuedCount());
    } else if (job->worker->isActive()) {
        job->worker->stop();
    }
}

void RunQueue::startWaiting()
{
    for (auto& job : m_jobs) {
        if (activeCount() >= m_maxConcurrent)
            return;
        if (job->status != QLatin1String("queued"))
            continue;
        job->status = QStringLiteral("running");
        job->startedAt = QDateTime::currentDateTime();
        job->worker->startWithArguments(job->request.trainArguments(), job->request.runDir);
        changed(job->id);
        emit jobStarted(job->id);
        emit activityChanged(activeCount(), queuedCount());
    }
}

RunJob* RunQueue::find(int id)
{
    for (auto& job : m_jobs)
        if (job->id == id)
            return job.get();
    return nullptr;
}

const RunJob* RunQueue::job(int id) const { return const_cast<RunQueue*>(this)->find(id); }

int RunQueue::indexOf(int id) const
{
    for (size_t i = 0; i < m_jobs.size(); ++i)
        if (m_jobs[i]->id == id)
            return static_cast<int>(i);
    return -1;
}

QList<int> RunQueue::jobIds() const
{
    QList<int> ids;
    for (const auto& job : m_jobs)
        ids << job->id;
    return ids;
}

int RunQueue::activeCount() const
{
    int count = 0;
    for (const auto& job : m_jobs)
        count += job->worker->isActive() ? 1 : 0;
    return count;
}

int RunQueue::queuedCount() const
{
    int count = 0;
    for (const auto& job : m_jobs)
        count += job->status == QLatin1String("queued") ? 1 : 0;
    return count;
}

int RunQueue::currentJobId() const
{
    const RunJob* latest = nullptr;
    for (const auto& job : m_jobs)
        if (job->worker->isActive() && (!latest || job->startedAt >= latest->startedAt))
            latest = job.get();
    return latest ? latest->id : 0;
}

void RunQueue::changed(int id)
{
    const int index = indexOf(id);
    if (index >= 0)
        emit runChanged(index);
}

RunSummary RunQueue::runAt(int index) const
{
    RunSummary s;
    if (index < 0 || index >= runCount())
        return s;
    const RunJob& job = *m_jobs[static_cast<size_t>(index)];
    s.key = QString::number(job.id);
    s.name = job.request.name;
    s.status = job.status;
    s.mode = job.request.mode;
    s.baseModel = job.request.baseModel;
    s.dataset = job.request.dataset;
    s.runDir = job.request.runDir;
    s.created = job.created;
    s.jobId = job.id;
    s.runId = job.request.runId;
    s.totalSteps = job.trace.totalSteps();
    if (const StepPoint* last = job.trace.lastStep()) {
        s.step = last->step;
        s.tokens = last->tokens;
        s.lastLoss = last->loss;
        s.elapsedSeconds = last->elapsed;
    }
    if (const EvalPoint* best = job.trace.bestEval())
        s.bestValLoss = best->valLoss;
    if (job.trace.hasEnd) {
        s.message = job.trace.end.message;
        if (job.trace.end.tokens > 0)
            s.tokens = job.trace.end.tokens;
    }
    return s;
}

} // namespace ft
