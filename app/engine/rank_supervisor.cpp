#include "rank_supervisor.h"

#include <csignal>
#include <cstring>
#include <memory>
#include <vector>

#include <unistd.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include "cli_common.h"
#include "common/stop_signals.h"
#include "worker_control.h"

namespace ft::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

extern "C" void forwardSignal(int number)
{
    const char byte = static_cast<char>(number);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

int freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

bool isFinalEvent(const QByteArray& line)
{
    const QString event = QJsonDocument::fromJson(line).object().value(QStringLiteral("event")).toString();
    return event == QLatin1String("finished") || event == QLatin1String("stopped") ||
           event == QLatin1String("diverged") || event == QLatin1String("failed");
}

// Why rank 0 ended without its final event, with the last lines it wrote on stderr.
QString rankZeroEnding(int exitCode, int signal, const QStringList& stderrTail)
{
    QString reason;
    if (exitCode >= 0)
        reason = QStringLiteral("rank 0 exited with status %1").arg(exitCode);
    else if (signal > 0)
        reason = QStringLiteral("rank 0 was killed by signal %1 (%2)")
                     .arg(signal)
                     .arg(QString::fromLocal8Bit(::strsignal(signal)));
    else
        reason = QStringLiteral("rank 0 could not be started");
    const QString said =
        stderrTail.isEmpty()
            ? QStringLiteral("it wrote nothing on stderr")
            : QStringLiteral("its last words on stderr: %1").arg(stderrTail.join(QStringLiteral(" | ")));
    return QStringLiteral("%1 without finishing; %2").arg(reason, said);
}

} // namespace

int superviseRanks(const QStringList& arguments, int ranks, bool jsonEvents)
{
    const int port = freePort();
    std::vector<std::unique_ptr<QProcess>> processes;
    bool finalSeen = false;
    int exited = 0;
    int mainExitCode = -1;
    int mainSignal = 0; // the signal that ended rank 0, when one did
    QStringList mainStderrTail;
    QTimer lastCall; // ends ranks still running this long after another one exited
    lastCall.setSingleShot(true);
    lastCall.setInterval(180000);
    QObject::connect(&lastCall, &QTimer::timeout, [&] {
        for (auto& other : processes)
            if (other->state() != QProcess::NotRunning)
                other->kill();
    });

    for (int rank = 0; rank < ranks; ++rank) {
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("RANK"), QString::number(rank));
        env.insert(QStringLiteral("LOCAL_RANK"), QString::number(rank));
        env.insert(QStringLiteral("WORLD_SIZE"), QString::number(ranks));
        env.insert(QStringLiteral("LOCAL_WORLD_SIZE"), QString::number(ranks));
        env.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
        env.insert(QStringLiteral("MASTER_PORT"), QString::number(port));
        process->setProcessEnvironment(env);
        QProcess* p = process.get();
        QObject::connect(p, &QProcess::readyReadStandardOutput, [&, p, rank] {
            while (p->canReadLine()) {
                const QByteArray line = p->readLine();
                if (rank != 0)
                    continue; // only rank 0 reports
                finalSeen = finalSeen || isFinalEvent(line);
                std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
                std::fflush(stdout);
            }
        });
        QObject::connect(p, &QProcess::readyReadStandardError, [&, p, rank] {
            const QByteArray text = p->readAllStandardError();
            for (const QByteArray& line : text.split('\n')) {
                if (line.isEmpty())
                    continue;
                if (rank == 0)
                    mainStderrTail = (mainStderrTail << QString::fromUtf8(line))
                                         .mid(std::max<qsizetype>(0, mainStderrTail.size() - 4));
                std::fprintf(stderr, "[rank %d] %s\n", rank, line.constData());
            }
        });
        auto onExit = [&, rank](int code, bool normal) {
            if (rank == 0) {
                mainExitCode = normal ? code : -1;
                mainSignal = normal ? 0 : code; // QProcess gives the signal as the code of a crash
            }
            if (++exited == ranks)
                QMetaObject::invokeMethod(
                    QCoreApplication::instance(), [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);
            else if (!lastCall.isActive())
                lastCall.start(); // the others fail at their next collective; give them time to say so
        };
        QObject::connect(p, &QProcess::finished, [onExit](int code, QProcess::ExitStatus status) {
            onExit(code, status == QProcess::NormalExit);
        });
        QObject::connect(p, &QProcess::errorOccurred, [onExit](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart)
                onExit(-1, false);
        });
        {
            const StopSignalsBlocked heldForTheRank; // until the rank's handler is in place
            process->start(QCoreApplication::applicationFilePath(), arguments);
        }
        processes.push_back(std::move(process));
    }

    // stdin commands go to every rank, so that all of them pause, resume and stop together.
    QSocketNotifier stdinNotifier(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&stdinNotifier, &QSocketNotifier::activated, [&] {
        char buffer[4096];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof(buffer));
        if (n <= 0) {
            stdinNotifier.setEnabled(false);
            return;
        }
        for (auto& process : processes)
            process->write(buffer, n);
    });
    // SIGINT/SIGTERM are passed on as SIGTERM: every rank stops after its current step.
    if (::pipe(g_signalPipe) == 0) {
        struct sigaction action {};
        action.sa_handler = forwardSignal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
        if (const int early = caughtStopSignal())
            forwardSignal(early); // it came while the ranks were being started
    }
    QSocketNotifier signalNotifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, [&] {
        char byte;
        [[maybe_unused]] const auto read = ::read(g_signalPipe[0], &byte, 1);
        for (auto& process : processes)
            process->terminate();
    });

    QCoreApplication::exec();
    if (!finalSeen && jsonEvents) {
        const QJsonObject failed{{QStringLiteral("event"), QStringLiteral("failed")},
                                 {QStringLiteral("message"), rankZeroEnding(mainExitCode, mainSignal, mainStderrTail)}};
        out() << QJsonDocument(failed).toJson(QJsonDocument::Compact) << '\n';
        out().flush();
    }
    return mainExitCode < 0 ? 1 : mainExitCode;
}

} // namespace ft::cli
