#include "runs/cli_task.h"

#include <cmath>
#include <limits>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include "runs/cli_locator.h"

namespace ft {

CliTask::CliTask(QObject* parent)
    : QObject(parent)
    , m_cliPath(findCli())
{
}

CliTask::~CliTask()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

QStringList CliTask::starterModelArguments(const QString& outFolder, const QString& preset)
{
    return {QStringLiteral("model"), QStringLiteral("new"), QStringLiteral("--preset"), preset, outFolder};
}

QStringList CliTask::sgemmBenchArguments(int threads)
{
    QStringList args{QStringLiteral("bench"), QStringLiteral("sgemm"), QStringLiteral("--json"),
                     QStringLiteral("--size"), QStringLiteral("1024")};
    if (threads > 0)
        args << QStringLiteral("--threads") << QString::number(threads);
    return args;
}

namespace {

double positiveField(const QByteArray& out, const QString& key)
{
    const QJsonObject json = QJsonDocument::fromJson(out.trimmed()).object();
    const double gflops = json.value(key).toDouble(-1.0);
    return std::isfinite(gflops) && gflops > 0 ? gflops : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

double CliTask::parseSgemmGflops(const QByteArray& out) { return positiveField(out, QStringLiteral("sgemm_gflops")); }

double CliTask::parseBf16Gflops(const QByteArray& out) { return positiveField(out, QStringLiteral("bf16_gflops")); }

void CliTask::start(const QStringList& arguments)
{
    if (m_running)
        return;
    m_running = true;
    m_out.clear();
    m_err.clear();
    if (m_cliPath.isEmpty()) {
        QTimer::singleShot(0, this, [this] {
            m_running = false;
            emit done({false, -1, {}, QStringLiteral("ftstudio-cli was not found (set FT_CLI to its path)")});
        });
        return;
    }
    if (m_process)
        m_process->deleteLater();
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, [this] {
        m_out += m_process->readAllStandardOutput();
        if (m_out.size() > 4 * 1024 * 1024)
            m_out = m_out.right(4 * 1024 * 1024);
    });
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_err += m_process->readAllStandardError();
        if (m_err.size() > 16384)
            m_err = m_err.right(16384);
    });
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        m_out += m_process->readAllStandardOutput();
        m_err += m_process->readAllStandardError();
        m_running = false;
        CliTaskResult result;
        result.exitCode = exitCode;
        result.out = m_out;
        result.ok = status == QProcess::NormalExit && exitCode == 0;
        if (!result.ok) {
            result.message = status == QProcess::CrashExit
                                 ? QStringLiteral("ftstudio-cli was killed (signal %1)").arg(exitCode)
                                 : QStringLiteral("ftstudio-cli exited with status %1").arg(exitCode);
            const QString err = QString::fromUtf8(m_err).trimmed();
            if (!err.isEmpty())
                result.message += QStringLiteral(": ") + err.section(QLatin1Char('\n'), -6);
        }
        emit done(result);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_running) {
            m_running = false;
            emit done(
                {false, -1, {}, QStringLiteral("could not start %1: %2").arg(m_cliPath, m_process->errorString())});
        }
    });
    m_process->start(m_cliPath, arguments);
    m_process->closeWriteChannel();
}

void CliTask::cancel()
{
    if (m_process && m_running)
        m_process->kill();
}

} // namespace ft
