#pragma once
// StoreThread: a thread of its own for the studio's work on the workspace database, so that the GUI
// thread never waits for SQLite (a read of 100,000 metric points, or a write that waits for the lock
// an import holds). Work runs in the order it was posted, on one thread with one connection (the
// rule of database.h: a connection belongs to the thread that opened it); its result comes back on
// the poster's thread as a queued call, and is dropped when the receiver is gone by then.
//
//   m_store->post(this, [path] { return RunStore(threadConnection(path)).runs(); },
//                 [this](std::vector<RunInfo> runs, const QString& error) { ... });
//
// An ft::Error (or any std::exception) thrown by the work reaches `done` as its message, with a
// default-constructed result. Destroying the StoreThread finishes the work already posted (writes
// are never dropped), then ends the thread.

#include <exception>
#include <type_traits>
#include <utility>

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>

namespace ft {

class StoreThread : public QObject {
    Q_OBJECT
public:
    explicit StoreThread(QObject* parent = nullptr);
    ~StoreThread() override;

    // Runs `work()` on the store thread, then `done(result, error)` on this object's thread if
    // `receiver` still exists. `work` returning void: `done(error)`.
    template <typename Work, typename Done> void post(QObject* receiver, Work work, Done done)
    {
        using Result = std::invoke_result_t<Work>;
        QPointer<QObject> guard(receiver);
        ++m_pending;
        QMetaObject::invokeMethod(
            m_context,
            [this, guard, work = std::move(work), done = std::move(done)]() mutable {
                QString error;
                if constexpr (std::is_void_v<Result>) {
                    try {
                        work();
                    } catch (const std::exception& e) {
                        error = QString::fromUtf8(e.what());
                    }
                    QMetaObject::invokeMethod(
                        this,
                        [this, guard, done = std::move(done), error]() mutable {
                            --m_pending;
                            if (guard)
                                done(error);
                        },
                        Qt::QueuedConnection);
                } else {
                    Result result{};
                    try {
                        result = work();
                    } catch (const std::exception& e) {
                        error = QString::fromUtf8(e.what());
                    }
                    QMetaObject::invokeMethod(
                        this,
                        [this, guard, done = std::move(done), result = std::move(result), error]() mutable {
                            --m_pending;
                            if (guard)
                                done(std::move(result), error);
                        },
                        Qt::QueuedConnection);
                }
            },
            Qt::QueuedConnection);
    }

    // Work whose result nobody waits for (it still runs in order with the rest).
    template <typename Work> void post(Work work)
    {
        post(this, std::move(work), [](auto&&...) {});
    }

    // Posted work whose result has not been delivered yet.
    int pending() const { return m_pending; }
    // Blocks until everything posted so far has run on the store thread (tests; never the GUI).
    void waitForStoreThread();

private:
    QThread m_thread;
    QObject* m_context;
    int m_pending = 0;
};

} // namespace ft
