#include "engine_threads.h"

#include "cli_common.h"
#include "engine/compute_threads.h"

namespace ft::cli {

void addThreadsOption(QCommandLineParser& parser)
{
    parser.addOption({QStringLiteral("threads"),
                      QStringLiteral("Compute threads (default: $FT_THREADS, else the number of physical cores)."),
                      QStringLiteral("N"), QStringLiteral("0")});
}

int applyThreadsOption(const QCommandLineParser& parser)
{
    bool ok = false;
    const int requested = parser.value(QStringLiteral("threads")).toInt(&ok);
    if (!ok || requested < 0)
        throw UsageError{QStringLiteral("--threads expects a non-negative integer")};
    return configureComputeThreads(requested);
}

} // namespace ft::cli
