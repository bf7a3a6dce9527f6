#pragma once
// GenerationProcess: one generation for the playground, run as `ftstudio-cli generate MODEL ...
// --events jsonl` (a token event per piece of text, then a `finished` event). Text is delivered in
// small batches (every 30 ms at most) so a fast model does not flood the GUI thread; cancel() kills
// the process (generation keeps no state worth a graceful stop).

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <vector>

#include "contract/line_splitter.h"
#include "contract/run_events.h"
#include "data/example_record.h"

namespace ft {

struct GenerationRequest {
    QString model;      // Hugging Face folder (a base model or a run's export/model), llama2.c .bin, or a run folder
    QString checkpoint; // for a run folder: final, best, latest or step-N (empty: final)
    QString adapter;    // a LoRA adapter folder (a run's export/adapter) applied to `model`, its base
    QString prompt;     // the text to continue, or the user's newest message in a conversation
    // The conversation so far (user and assistant turns alternating, complete pairs); `prompt` is the user
    // turn that follows. Sent to the worker on its standard input (--conversation -).
    std::vector<ChatTurn> history;
    // Empty: the prompt as raw text (a conversation as plain text); else a template name, custom text, "model"
    // (the model's own chat template) or "auto" (a run's template, else the model's own, else raw).
    QString promptTemplate;
    QString system;         // with a template
    bool greedy = false;
    double temperature = 0.8;
    double topP = 0.95;
    int topK = 0;
    int maxTokens = 256;
    quint64 seed = 0;
    int threads = 0; // 0: the worker's default

    QStringList arguments() const;   // the command line after the program name
    QByteArray standardInput() const; // the conversation as JSON when there is a history, else empty
    // A model choice: a model folder as it is, or an adapter folder (it has adapter_config.json) with
    // the base model its adapter_config.json names. Throws ft::Error when that cannot be read.
    void chooseModel(const QString& path);
};

struct GenerationResult {
    QString text;
    QString promptTemplate; // what the worker formatted the prompt with: a template's name or text, or "none"
    qint64 newTokens = 0;
    QString stopReason;
    double tokensPerSecond = kNoValue;
};

class GenerationProcess : public QObject {
    Q_OBJECT
public:
    explicit GenerationProcess(QObject* parent = nullptr);
    ~GenerationProcess() override;

    void setCliPath(const QString& path) { m_cliPath = path; }
    void start(const GenerationRequest& request);
    bool isRunning() const { return m_running; }
    QString text() const { return m_text; } // everything streamed so far

public slots:
    void cancel();

signals:
    void textArrived(const QString& piece); // the next piece of the generated text
    void finished(const ft::GenerationResult& result);
    void failed(const QString& message);
    void cancelled();

private:
    void readStdout();
    void flushText();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QString m_cliPath;
    QProcess* m_process = nullptr;
    LineSplitter m_splitter;
    QTimer m_flushTimer;
    QString m_pending;
    QString m_text;
    QByteArray m_stderr;
    bool m_running = false;
    bool m_cancelled = false;
    bool m_gotResult = false;
    GenerationResult m_result;
};

} // namespace ft

Q_DECLARE_METATYPE(ft::GenerationResult)
