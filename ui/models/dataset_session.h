#pragma once
// DatasetSession: the Datasets page's hold on the workspace database. It owns
//   - the GUI thread's connection (quick reads: a page of rows, a count, one example; small writes),
//   - the undo stack every edit goes through (ui/undo/),
//   - a thread pool for work that must not run on the GUI thread (each thread with its own
//     connection, see core/store/database.h),
//   - the change notifications the views follow (examplesChanged, datasetsChanged).
//
// Writes that may touch many rows (a bulk action over 50,000 selected examples, its undo) run on the
// pool through runWrite(): the event loop keeps running (painting, timers) while user input is held
// back until it is done, so nothing can start a second edit halfway. While a background job holds the
// database for writing (an import), the session is busy: edits wait for it (the editor keeps its
// changes and saves them afterwards) instead of blocking the GUI thread on SQLite's lock.

#include <functional>
#include <memory>
#include <vector>

#include <QObject>
#include <QSqlDatabase>
#include <QString>
#include <QThreadPool>
#include <QVector>

class QUndoStack;

namespace ft {
class DatasetStore;
class ExampleStore;
} // namespace ft

namespace ft::ui {

struct TaskControl;

class DatasetSession : public QObject {
    Q_OBJECT
public:
    explicit DatasetSession(QObject* parent = nullptr);
    ~DatasetSession() override;

    // Opens (creating, with the sample dataset) the workspace in `dir`. Throws ft::Error (a database
    // written by a newer program, a folder that cannot be created); the session is then closed.
    void open(const QString& workspaceDir);
    void close();
    bool isOpen() const { return !m_databasePath.isEmpty(); }
    QString workspacePath() const { return m_workspacePath; }
    QString databasePath() const { return m_databasePath; }
    QStringList openWarnings() const { return m_warnings; }

    QSqlDatabase database() const; // the GUI thread's connection
    DatasetStore datasets() const;
    ExampleStore examples() const;
    QUndoStack* undoStack() const { return m_undo; }
    QThreadPool* pool() { return &m_pool; }

    // Runs `work` with a connection: on the GUI thread when `rows` is small, else on the pool while
    // the event loop keeps painting (user input held back). Rethrows the work's ft::Error.
    void runWrite(qsizetype rows, const std::function<void(QSqlDatabase)>& work);
    static constexpr qsizetype kInlineRows = 300;

    // A background job writes to the database (an import): edits wait until it ends.
    bool isBusy() const { return m_busy > 0 || m_writing; }
    void beginBusy();
    void endBusy();

    // Called by the undo commands after each change, and by jobs that changed data.
    void notifyExamples(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved);
    void notifyDatasets();
    void reportError(const QString& message);
    // A background job on pool() that reads this workspace: close() (another workspace opened, the
    // window closing) cancels every tracked job that still runs before it waits for the pool, so a
    // long statistics or dedup pass does not hold the window.
    void track(const std::shared_ptr<TaskControl>& control);
    void cancelJobs();

    // Errors reported so far: a caller compares it before and after an action to learn whether it failed.
    quint64 errorCount() const { return m_errorCount; }

signals:
    void opened();
    void closed();
    // `ids` changed (texts, tags, split, flags); `rowsAddedOrRemoved` when examples came or went
    // (then `ids` are those that did).
    void examplesChanged(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved);
    void datasetsChanged();
    void busyChanged(bool busy);
    void errorOccurred(const QString& message);

private:
    QString m_workspacePath;
    QString m_databasePath;
    QStringList m_warnings;
    QUndoStack* m_undo;
    QThreadPool m_pool;
    int m_busy = 0;
    quint64 m_errorCount = 0;
    bool m_writing = false;
    std::vector<std::weak_ptr<TaskControl>> m_jobs;
};

} // namespace ft::ui
