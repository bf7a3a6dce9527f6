#pragma once
// Runs the built ftstudio-cli and captures what it prints.

#include <QByteArray>
#include <QStringList>

namespace ft::test {

struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliResult runCli(const QStringList& arguments, int timeoutMs = 120000, const QByteArray& input = {});

} // namespace ft::test
