#include "common/cpu_threads.h"

#include <set>
#include <thread>
#include <utility>

#include <QFile>
#include <QString>

namespace ft {

int physicalCoreCount()
{
    // /proc/cpuinfo pairs every logical CPU with its (physical id, core id); count distinct pairs.
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    std::set<std::pair<int, int>> cores;
    if (cpuinfo.open(QIODevice::ReadOnly | QIODevice::Text)) {
        int physicalId = 0;
        for (const QByteArray& rawLine : cpuinfo.readAll().split('\n')) {
            const QByteArray line = rawLine.trimmed();
            const int colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray key = line.left(colon).trimmed();
            const int value = line.mid(colon + 1).trimmed().toInt();
            if (key == "physical id")
                physicalId = value;
            else if (key == "core id")
                cores.insert({physicalId, value});
        }
    }
    if (!cores.empty())
        return static_cast<int>(cores.size());
    const unsigned logical = std::thread::hardware_concurrency();
    return logical > 0 ? static_cast<int>(logical) : 1;
}

int resolveThreadCount(int requested)
{
    if (requested > 0)
        return requested;
    bool ok = false;
    const int fromEnv = qEnvironmentVariableIntValue("FT_THREADS", &ok);
    if (ok && fromEnv > 0)
        return fromEnv;
    return physicalCoreCount();
}

} // namespace ft
