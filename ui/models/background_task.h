#pragma once
// Work that must not run on the GUI thread (an import, a validation over a whole dataset, statistics,
// a sorted id list of 100,000 examples), run on a thread pool with progress and cancellation as one
// contract (common/progress.h): the work reads `control.cancelled` and writes `control.done/total`;
// the GUI polls them (a progress bar) and asks to cancel. The result (or the error message) comes
// back on the GUI thread through `onDone`, called in `context`'s thread; nothing is delivered once
// `context` is gone.
//
// Database work opens its own connection inside the work (threadConnection(path) on that thread):
// a QSqlDatabase never crosses threads (see core/store/database.h).

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include "common/error.h"
#include "common/progress.h"

namespace ft::ui {

struct TaskControl {
    std::atomic<bool> cancelled{false};
    std::atomic<qint64> done{0};
    std::atomic<qint64> total{0};

    // A ProgressCallback for the core functions: records progress, says whether to go on.
    ProgressCallback callback()
    {
        return [this](int64_t d, int64_t t) {
            done = d;
            total = t;
            return !cancelled.load();
        };
    }
    int permille() const
    {
        const qint64 t = total.load();
        return t > 0 ? static_cast<int>(std::min<qint64>(1000, done.load() * 1000 / t)) : 0;
    }
};

template <typename R> struct TaskOutcome {
    std::optional<R> value; // empty on error
    QString error;
    bool cancelled = false;
};

// Starts `work(control)` on `pool`; `onDone(outcome)` runs on the GUI thread afterwards (only while
// `context` lives). Returns the control block, shared with the work, to poll progress and cancel.
template <typename R>
std::shared_ptr<TaskControl> startTask(QObject* context, QThreadPool* pool, std::function<R(TaskControl&)> work,
                                       std::function<void(TaskOutcome<R>)> onDone)
{
    auto control = std::make_shared<TaskControl>();
    auto* watcher = new QFutureWatcher<TaskOutcome<R>>();
    QPointer<QObject> guard(context);
    QObject::connect(watcher, &QFutureWatcher<TaskOutcome<R>>::finished, context,
                     [watcher, guard, onDone = std::move(onDone)] {
                         if (guard)
                             onDone(watcher->future().result());
                     });
    // The watcher goes when the work ends, whether or not its context still lives.
    QObject::connect(watcher, &QFutureWatcher<TaskOutcome<R>>::finished, watcher, &QObject::deleteLater);
    watcher->setFuture(QtConcurrent::run(pool, [control, work = std::move(work)]() -> TaskOutcome<R> {
        TaskOutcome<R> outcome;
        try {
            outcome.value = work(*control);
        } catch (const Error& error) {
            outcome.error = error.message();
        } catch (const std::exception& error) {
            outcome.error = QString::fromLocal8Bit(error.what());
        }
        outcome.cancelled = control->cancelled.load();
        return outcome;
    }));
    return control;
}

} // namespace ft::ui
