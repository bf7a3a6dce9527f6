#include "runs/detached_worker.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <QObject>

#include <sys/types.h>

#include "common/error.h"
#include "contract/run_folder.h"

namespace ft {

bool isLiveDetachedRun(const RunInfo& run)
{
    return run.status == RunStatus::Running && run.pid && run.host == thisHostName() &&
           isWorkerProcessAlive(*run.pid, RunStore::defaultWorkerNames());
}

namespace {

// Why the run's worker cannot be steered from here; empty when it can.
QString whyNotSteerable(const RunInfo& run)
{
    if (run.status != RunStatus::Running || !run.pid)
        return QObject::tr("run \"%1\" is not training").arg(run.name);
    if (run.host != thisHostName())
        return QObject::tr("run \"%1\" trains on %2: steer it there").arg(run.name, run.host);
    if (!isWorkerProcessAlive(*run.pid, RunStore::defaultWorkerNames()))
        return QObject::tr("run \"%1\"'s worker (pid %2) is gone").arg(run.name).arg(*run.pid);
    return {};
}

} // namespace

QString sendToDetachedRun(const RunInfo& run, const QString& command)
{
    if (const QString why = whyNotSteerable(run); !why.isEmpty())
        return why;
    try {
        RunFolder(run.runDir).sendCommand(command);
    } catch (const Error& error) {
        return error.message();
    }
    return {};
}

QString stopDetachedRun(const RunInfo& run)
{
    if (const QString why = whyNotSteerable(run); !why.isEmpty())
        return why;
    if (::kill(static_cast<pid_t>(*run.pid), SIGTERM) != 0)
        return QObject::tr("run \"%1\": the worker (pid %2) could not be signalled: %3")
            .arg(run.name)
            .arg(*run.pid)
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    return {};
}

} // namespace ft
