#include "models/dataset_session.h"

#include <algorithm>

#include <QApplication>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QProgressDialog>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

#include "common/error.h"
#include "models/background_task.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/example_store.h"
#include "store/workspace.h"

namespace ft::ui {

DatasetSession::DatasetSession(QObject* parent)
    : QObject(parent)
    , m_undo(new QUndoStack(this))
{
    // Threads stay (and keep their connections) while the session lives; two at most: a job and the
    // token counter, beside the GUI thread.
    m_pool.setMaxThreadCount(3);
    m_pool.setExpiryTimeout(-1);
}

DatasetSession::~DatasetSession()
{
    cancelJobs();
    m_pool.waitForDone();
}

void DatasetSession::open(const QString& workspaceDir)
{
    close();
    try {
        const Workspace workspace = Workspace::open(workspaceDir);
        m_workspacePath = workspace.path();
        m_databasePath = workspace.databasePath();
        m_warnings = workspace.warnings();
    } catch (...) {
        m_workspacePath.clear();
        m_databasePath.clear();
        throw;
    }
    emit opened();
    emit datasetsChanged();
}

void DatasetSession::close()
{
    if (!isOpen())
        return;
    cancelJobs();
    m_pool.waitForDone(); // jobs of this workspace finish first: cancelled ones at their next check
    m_undo->clear();
    m_workspacePath.clear();
    m_databasePath.clear();
    m_warnings.clear();
    emit closed();
    emit datasetsChanged();
}

QSqlDatabase DatasetSession::database() const
{
    if (!isOpen())
        throw Error(QStringLiteral("no workspace is open"));
    return threadConnection(m_databasePath);
}

DatasetStore DatasetSession::datasets() const { return DatasetStore(database()); }

ExampleStore DatasetSession::examples() const { return ExampleStore(database()); }

void DatasetSession::runWrite(qsizetype rows, const std::function<void(QSqlDatabase)>& work)
{
    if (m_writing)
        throw Error(tr("another change is still being saved").toStdString());
    if (rows <= kInlineRows) {
        work(database());
        return;
    }
    const QString path = m_databasePath;
    m_writing = true;
    QFutureWatcher<QString> watcher;
    QEventLoop loop;
    connect(&watcher, &QFutureWatcher<QString>::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(QtConcurrent::run(&m_pool, [path, work]() -> QString {
        try {
            work(threadConnection(path));
            return {};
        } catch (const Error& error) {
            return error.message().isEmpty() ? QStringLiteral("error") : error.message();
        } catch (const std::exception& error) {
            return QString::fromLocal8Bit(error.what());
        }
    }));
    // A busy indicator once it takes a while; user input waits (it is not lost) until the end.
    QProgressDialog progress(tr("Saving %n example(s)…", nullptr, static_cast<int>(rows)), QString(), 0, 0,
                             QApplication::activeWindow());
    progress.setObjectName(QStringLiteral("writeProgress"));
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(400);
    progress.setValue(0);
    if (!watcher.isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    progress.reset();
    m_writing = false;
    const QString error = watcher.future().result();
    if (!error.isEmpty())
        throw Error(error);
}

void DatasetSession::track(const std::shared_ptr<TaskControl>& control)
{
    m_jobs.erase(std::remove_if(m_jobs.begin(), m_jobs.end(),
                                [](const std::weak_ptr<TaskControl>& job) { return job.expired(); }),
                 m_jobs.end());
    if (control)
        m_jobs.push_back(control);
}

void DatasetSession::cancelJobs()
{
    for (const std::weak_ptr<TaskControl>& job : m_jobs)
        if (const std::shared_ptr<TaskControl> control = job.lock())
            control->cancelled = true;
    m_jobs.clear();
}

void DatasetSession::beginBusy()
{
    if (m_busy++ == 0)
        emit busyChanged(true);
}

void DatasetSession::endBusy()
{
    if (m_busy > 0 && --m_busy == 0)
        emit busyChanged(false);
}

void DatasetSession::notifyExamples(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved)
{
    emit examplesChanged(datasetId, ids, rowsAddedOrRemoved);
}

void DatasetSession::notifyDatasets() { emit datasetsChanged(); }

void DatasetSession::reportError(const QString& message)
{
    ++m_errorCount;
    emit errorOccurred(message);
}

} // namespace ft::ui
