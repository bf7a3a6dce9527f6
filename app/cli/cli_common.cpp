#include "cli_common.h"

#include <exception>

#include <QJsonDocument>

#include "common/error.h"

namespace ft::cli {

bool parseArguments(QCommandLineParser& parser, const QStringList& args, const QString& description)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(help);
    if (!parser.parse(args))
        throw UsageError{parser.errorText()};
    if (parser.isSet(help)) {
        out() << parser.helpText();
        out().flush();
        return false;
    }
    return true;
}

QStringList requirePositional(const QCommandLineParser& parser, int count, const QString& names)
{
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != count)
        throw UsageError{QStringLiteral("expected %1 (got %2 arguments)").arg(names).arg(positional.size())};
    return positional;
}

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

int runCommand(const QString& name, int (*run)(const QStringList& args), const QStringList& args)
{
    QStringList commandArgs = args.mid(1);
    commandArgs[0] = QStringLiteral("ftstudio-cli ") + name;
    try {
        return run(commandArgs);
    } catch (const UsageError& error) {
        err() << "ftstudio-cli " << name << ": " << error.message << "\n"
              << "Try 'ftstudio-cli " << name << " --help'.\n";
        return 2;
    } catch (const Error& error) {
        err() << "error: " << error.message() << "\n";
        return 1;
    } catch (const std::exception& error) {
        err() << "error: " << error.what() << "\n";
        return 1;
    }
}

void printJson(const QJsonObject& object)
{
    out() << QJsonDocument(object).toJson(QJsonDocument::Indented);
    out().flush();
}

void printJsonLine(const QJsonObject& object)
{
    out() << QJsonDocument(object).toJson(QJsonDocument::Compact) << '\n';
    out().flush();
}

QString humanBytes(qint64 bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? QStringLiteral("%1 B").arg(bytes)
                     : QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString humanCount(qint64 count)
{
    if (count >= 1'000'000'000)
        return QStringLiteral("%1B").arg(count / 1e9, 0, 'f', 2);
    if (count >= 1'000'000)
        return QStringLiteral("%1M").arg(count / 1e6, 0, 'f', 1);
    if (count >= 1'000)
        return QStringLiteral("%1K").arg(count / 1e3, 0, 'f', 0);
    return QString::number(count);
}

} // namespace ft::cli
