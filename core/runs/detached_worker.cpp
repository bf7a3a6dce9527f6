#include "runs/detached_worker.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <QObject>

#include <sys/types.h>

namespace ft {

bool isLiveDetachedRun(const RunInfo& run)
{
    return run.status == RunStatus::Running && run.pid && run.host == thisHostName() &&
           isWorkerProcessAlive(*run.pid, RunStore::defaultWorkerNames());
}

QString stopDetachedRun(const RunInfo& run)
{
    if (run.status != RunStatus::Running || !run.pid)
        return QObject::tr("run \"%1\" is not training").arg(run.name);
    if (run.host != thisHostName())
        return QObject::tr("run \"%1\" trains on %2: stop it there").arg(run.name, run.host);
    if (!isWorkerProcessAlive(*run.pid, RunStore::defaultWorkerNames()))
        return QObject::tr("run \"%1\"'s worker (pid %2) is gone").arg(run.name).arg(*run.pid);
    if (::kill(static_cast<pid_t>(*run.pid), SIGTERM) != 0)
        return QObject::tr("run \"%1\": the worker (pid %2) could not be signalled: %3")
            .arg(run.name)
            .arg(*run.pid)
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    return {};
}

} // namespace ft
