#include "runs/generation_process.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "common/error.h"
#include "common/json_file.h"
#include "runs/cli_locator.h"

namespace ft {

QStringList GenerationRequest::arguments() const
{
    QStringList args{QStringLiteral("generate"),     model,
                     QStringLiteral("--events"),     QStringLiteral("jsonl"),
                     QStringLiteral("--max-tokens"), QString::number(maxTokens),
                     QStringLiteral("--seed"),       QString::number(seed)};
    if (history.empty())
        args << QStringLiteral("--prompt") << prompt;
    else
        args << QStringLiteral("--conversation") << QStringLiteral("-");
    if (!checkpoint.isEmpty())
        args << QStringLiteral("--checkpoint") << checkpoint;
    if (greedy) {
        args << QStringLiteral("--greedy");
    } else {
        args << QStringLiteral("--temperature") << QString::number(temperature) << QStringLiteral("--top-p")
             << QString::number(topP) << QStringLiteral("--top-k") << QString::number(topK);
    }
    args << QStringLiteral("--template") << (promptTemplate.isEmpty() ? QStringLiteral("none") : promptTemplate);
    if (!promptTemplate.isEmpty() && !system.isEmpty())
        args << QStringLiteral("--system") << system;
    if (threads > 0)
        args << QStringLiteral("--threads") << QString::number(threads);
    if (!adapter.isEmpty())
        args << QStringLiteral("--adapter") << adapter;
    return args;
}

QByteArray GenerationRequest::standardInput() const
{
    if (history.empty())
        return {};
    ExampleRecord conversation;
    conversation.turns = history;
    conversation.turns.push_back({ChatTurn::Role::User, prompt});
    conversation.turns.push_back({ChatTurn::Role::Assistant, QString()});
    QJsonObject json = conversation.toJson();
    QJsonArray turns = json.value(QStringLiteral("turns")).toArray();
    turns.removeLast(); // the answer to generate is not sent
    json[QStringLiteral("turns")] = turns;
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

void GenerationRequest::chooseModel(const QString& path)
{
    const QString config = QDir(path).filePath(QStringLiteral("adapter_config.json"));
    if (!QFileInfo::exists(config)) {
        model = path;
        adapter.clear();
        return;
    }
    const QString base = readJsonObjectFile(config).value(QStringLiteral("base_model_name_or_path")).toString();
    if (base.isEmpty())
        throw Error(QStringLiteral("%1 does not name its base model (base_model_name_or_path)").arg(config));
    model = base;
    adapter = path;
}

GenerationProcess::GenerationProcess(QObject* parent)
    : QObject(parent)
    , m_cliPath(findCli())
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(30);
    connect(&m_flushTimer, &QTimer::timeout, this, &GenerationProcess::flushText);
}

GenerationProcess::~GenerationProcess()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

void GenerationProcess::start(const GenerationRequest& request)
{
    if (m_running)
        cancel();
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
    }
    m_splitter = LineSplitter();
    m_pending.clear();
    m_text.clear();
    m_stderr.clear();
    m_cancelled = false;
    m_gotResult = false;
    m_result = {};
    m_running = true;
    if (m_cliPath.isEmpty()) {
        QTimer::singleShot(0, this, [this] {
            m_running = false;
            emit failed(QStringLiteral("ftstudio-cli was not found (set FT_CLI to its path)"));
        });
        return;
    }
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &GenerationProcess::readStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > 8192)
            m_stderr = m_stderr.right(8192);
    });
    connect(m_process, &QProcess::finished, this, &GenerationProcess::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_running) {
            m_running = false;
            emit failed(QStringLiteral("could not start %1: %2").arg(m_cliPath, m_process->errorString()));
        }
    });
    m_process->start(m_cliPath, request.arguments());
    const QByteArray input = request.standardInput();
    if (!input.isEmpty())
        m_process->write(input); // buffered by QProcess until the worker reads it
    m_process->closeWriteChannel();
}

void GenerationProcess::cancel()
{
    if (!m_running || !m_process)
        return;
    m_cancelled = true;
    m_process->kill(); // onFinished reports `cancelled`
}

void GenerationProcess::readStdout()
{
    for (const QByteArray& line : m_splitter.feed(m_process->readAllStandardOutput())) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        const QString name = event.value(QStringLiteral("event")).toString();
        if (name == QLatin1String("token")) {
            m_pending += event.value(QStringLiteral("text")).toString().left(kMaxEventTextChars);
            if (!m_flushTimer.isActive())
                m_flushTimer.start();
        } else if (name == QLatin1String("finished")) {
            m_gotResult = true;
            m_result.text = event.value(QStringLiteral("text")).toString();
            m_result.newTokens = event.value(QStringLiteral("new_tokens")).toInteger();
            m_result.stopReason = event.value(QStringLiteral("stop_reason")).toString();
            m_result.promptTemplate = event.value(QStringLiteral("template")).toString();
            m_result.tokensPerSecond = event.value(QStringLiteral("tokens_per_second")).toDouble(kNoValue);
        }
    }
}

void GenerationProcess::flushText()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    const QString piece = m_pending;
    m_pending.clear();
    m_text += piece;
    emit textArrived(piece);
}

void GenerationProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    readStdout();
    flushText();
    m_running = false;
    if (m_cancelled) {
        emit cancelled();
    } else if (m_gotResult) {
        emit finished(m_result);
    } else {
        QString message = status == QProcess::CrashExit
                              ? QStringLiteral("generation crashed (signal %1)").arg(exitCode)
                              : QStringLiteral("generation failed (exit status %1)").arg(exitCode);
        const QString err = QString::fromUtf8(m_stderr).trimmed();
        if (!err.isEmpty())
            message += QStringLiteral(": ") + err.section(QLatin1Char('\n'), -6);
        emit failed(message);
    }
}

} // namespace ft
