#pragma once
// What every subcommand of ftstudio-cli shares, in both of its programs: parsing with --help, output.

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace ft::cli {

// Thrown for wrong usage (unknown option, missing argument): exit code 2 with the usage text.
struct UsageError {
    QString message;
};

// Adds --help, parses `args`, and prints the help (returning false) when asked for it. `positional`
// lists "name description" pairs for the help text.
bool parseArguments(QCommandLineParser& parser, const QStringList& args, const QString& description);

// Exactly `count` positional arguments, or a UsageError naming what is missing.
QStringList requirePositional(const QCommandLineParser& parser, int count, const QString& names);

// Runs a command's `run` on `args` (args[0] becomes "ftstudio-cli NAME"), its errors turned into the exit
// codes and messages every command shares: 2 and a --help hint for wrong usage, 1 and "error: ..." otherwise.
int runCommand(const QString& name, int (*run)(const QStringList& args), const QStringList& args);

QTextStream& out();
QTextStream& err();
void printJson(const QJsonObject& object);
// One compact JSON object and a newline on stdout, flushed: an event line for the studio.
void printJsonLine(const QJsonObject& object);
QString humanBytes(qint64 bytes);
QString humanCount(qint64 count); // 1.1B, 260K

} // namespace ft::cli
