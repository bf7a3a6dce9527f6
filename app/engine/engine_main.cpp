// ftstudio-engine: the commands of ftstudio-cli that need LibTorch (train, eval, generate, model,
// convert, bench, dataset generate). ftstudio-cli hands them over with exec, so that its other
// commands start without loading LibTorch; run directly, it behaves the same.

#include <cstdlib>

#include <unistd.h>

#include <QCoreApplication>

#include "cli_common.h"
#include "common/app_paths.h"
#include "engine_commands.h"
#include "worker_control.h"

int main(int argc, char* argv[])
{
    // LibTorch's OpenMP threads busy-wait after every parallel region by default, which starves
    // OpenBLAS's own threads on small machines (5x slower training on 2 cores). libgomp reads its
    // wait policy only when it loads, so the program restarts itself once with the policy set
    // (ftstudio-cli sets it before handing over, so this happens only when run directly).
    if (!std::getenv("OMP_WAIT_POLICY")) {
        ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
        ::execv("/proc/self/exe", argv);
        // Not fatal if the restart fails: the program only runs slower.
    }
    // A trainer (evaluation, export) records stop signals from here on, also those held while the
    // program loaded (app/engine/worker_control.h).
    if (ft::cli::commandHandlesStopSignals(argc, argv))
        ft::cli::catchStopSignals();
    else
        ft::cli::restoreStopSignals();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ftstudio"));
    QCoreApplication::setOrganizationName(QStringLiteral("FineTune Studio"));
    QCoreApplication::setApplicationVersion(ft::appVersion());

    const QStringList args = QCoreApplication::arguments();
    const QString name = args.size() > 1 ? args.at(1) : QString();
    for (const auto& command : ft::cli::engineCommands()) {
        if (name != QLatin1String(command.name))
            continue;
        return ft::cli::runCommand(name, command.run, args);
    }
    ft::cli::err() << "ftstudio-engine: not an engine command: '" << name
                   << "' (ftstudio-cli --help lists every command)\n";
    return 2;
}
