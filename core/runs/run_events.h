#pragma once
// The training worker's event stream (docs/events.md) as typed values, and the parsing of it. Every
// line is hostile input: it may be garbage, cut off, huge, or a valid JSON object with fields of the
// wrong type. Parsing never throws; a bad line becomes an error string the caller may log.

#include <cmath>
#include <limits>
#include <optional>
#include <variant>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace ft {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// `started`: what the worker resolved before its first step.
struct RunStartInfo {
    QString runDir;
    QJsonObject config; // the fully resolved training configuration
    qint64 totalParameters = 0;
    qint64 trainableParameters = 0;
    qint64 trainExamples = 0;
    qint64 valExamples = 0;
    qint64 truncatedExamples = 0;
    qint64 tokensPerEpoch = 0;
    qint64 totalSteps = 0;
    qint64 resumedFromStep = -1; // -1: a fresh run
};

// `step`: one optimizer step. Values the worker did not send are NaN.
struct StepPoint {
    qint64 step = 0;
    qint64 totalSteps = 0;
    double epoch = 0.0;
    double loss = kNoValue;
    double learningRate = kNoValue;
    double gradNorm = kNoValue;
    qint64 tokens = 0; // seen so far
    double tokensPerSecond = kNoValue;
    double elapsed = 0.0; // seconds since the run (or its resumption) started
    double eta = kNoValue;
};

// `eval`: a validation pass.
struct EvalPoint {
    qint64 step = 0;
    double valLoss = kNoValue;
    double perplexity = kNoValue;
    double bestValLoss = kNoValue;
    bool isBest = false;
};

// `sample`: a greedy generation for a validation prompt at an evaluation.
struct SamplePoint {
    qint64 step = 0;
    QString prompt;
    QString reference;
    QString text;
};

// `checkpoint`: a checkpoint written at `step`.
struct CheckpointPoint {
    qint64 step = 0;
    QString path;
    bool best = false;
    double valLoss = kNoValue; // when the step was evaluated
};

struct LogEvent {
    QString level; // "info", "warning", ...
    QString message;
};

struct PausedEvent {
    bool paused = false;
};

// How a run ended: one of the final events, or the worker's exit without one.
struct RunEndInfo {
    QString status; // finished | stopped | diverged | failed | interrupted
    QString message;
    qint64 step = -1;
    qint64 tokens = 0;
    QString exportPath; // finished runs: the exported model folder
    double bestValLoss = kNoValue;
    int exitCode = -1;             // the worker's exit status (or signal), -1 when not known
    bool reportedByWorker = false; // false: made up from the exit status and stderr
};

using WorkerEvent =
    std::variant<RunStartInfo, StepPoint, EvalPoint, SamplePoint, CheckpointPoint, LogEvent, PausedEvent, RunEndInfo>;

// Longest text kept from any string field (messages, samples); longer ones are cut with a note.
constexpr int kMaxEventTextChars = 64 * 1024;

// Parses one line (without its newline). Unknown event names, invalid JSON and wrong field types give
// std::nullopt and a one-line reason in *error (when given).
std::optional<WorkerEvent> parseWorkerEvent(const QByteArray& line, QString* error = nullptr);

// The final statuses a worker can report.
bool isFinalRunStatus(const QString& status);

// Bytes in, complete lines out. A line longer than `maxLineBytes` is dropped whole (counted in
// droppedLines()), so a worker that never writes a newline cannot make the reader grow without bound.
class LineSplitter {
public:
    explicit LineSplitter(qsizetype maxLineBytes = 1 << 20);
    QList<QByteArray> feed(const QByteArray& bytes);
    // What is left without a newline (e.g. at the worker's exit), then empty.
    QByteArray takeRest();
    int droppedLines() const { return m_dropped; }
    qsizetype maxLineBytes() const { return m_maxLineBytes; }

private:
    qsizetype m_maxLineBytes;
    QByteArray m_pending;
    bool m_skipping = false; // inside an over-long line: discard up to its newline
    int m_dropped = 0;
};

} // namespace ft

Q_DECLARE_METATYPE(ft::RunStartInfo)
Q_DECLARE_METATYPE(ft::StepPoint)
Q_DECLARE_METATYPE(ft::EvalPoint)
Q_DECLARE_METATYPE(ft::SamplePoint)
Q_DECLARE_METATYPE(ft::CheckpointPoint)
Q_DECLARE_METATYPE(ft::RunEndInfo)
