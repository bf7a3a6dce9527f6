// ftstudio-cli: train, evaluate, generate and manage datasets and runs without the GUI. The commands
// that need LibTorch are run by ftstudio-engine, which this program becomes (exec) for them.

#include <QCoreApplication>

#include "cli_common.h"
#include "commands.h"
#include "common/app_paths.h"
#include "engine_launcher.h"

namespace {

void printUsage(QTextStream& stream)
{
    stream << "Usage: ftstudio-cli <command> [options]\n\n"
           << "FineTune Studio's headless engine: every command also has --help.\n\nCommands:\n";
    for (const auto& command : ft::cli::commands())
        stream << QStringLiteral("  %1%2\n").arg(QLatin1String(command.name), -12).arg(QLatin1String(command.summary));
    stream << "\nGeneral options:\n  -h, --help     Show this help.\n  -v, --version  Show the version.\n";
    stream.flush();
}

} // namespace

int main(int argc, char* argv[])
{
    // Before Qt starts: an engine command becomes the engine process at once.
    if (argc > 1 && ft::cli::isEngineCommand(argv[1], argc > 2 ? argv[2] : nullptr))
        return ft::cli::execEngine(argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ftstudio"));
    QCoreApplication::setOrganizationName(QStringLiteral("FineTune Studio"));
    QCoreApplication::setApplicationVersion(ft::appVersion());

    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        printUsage(ft::cli::err());
        return 2;
    }
    const QString name = args.at(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        printUsage(ft::cli::out());
        return 0;
    }
    if (name == QLatin1String("--version") || name == QLatin1String("-v")) {
        ft::cli::out() << "ftstudio-cli " << ft::appVersion() << "\n";
        return 0;
    }
    for (const auto& command : ft::cli::commands()) {
        if (name != QLatin1String(command.name))
            continue;
        return ft::cli::runCommand(name, command.run, args);
    }
    ft::cli::err() << "ftstudio-cli: unknown command '" << name << "'\n\n";
    printUsage(ft::cli::err());
    return 2;
}
