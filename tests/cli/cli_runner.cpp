#include "cli_runner.h"

#include <QProcess>

#include "support/test_support.h"

namespace ft::test {

CliResult runCli(const QStringList& arguments, int timeoutMs, const QByteArray& input)
{
    QProcess process;
    process.start(cliPath(), arguments);
    CliResult result;
    if (!process.waitForStarted()) {
        result.err = "could not start " + cliPath().toUtf8();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

} // namespace ft::test
