#include "engine/process_memory.h"

#include <QFile>

namespace ft {

namespace {

int64_t statusField(const char* key)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(key))
            return line.mid(static_cast<int>(qstrlen(key))).trimmed().split(' ').first().toLongLong() * 1024;
    return -1;
}

} // namespace

int64_t residentBytes() { return statusField("VmRSS:"); }
int64_t peakResidentBytes() { return statusField("VmHWM:"); }

void resetPeakResident()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

} // namespace ft
