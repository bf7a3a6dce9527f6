#pragma once
// The training worker's event stream (docs/events.md): one set of typed events that the worker
// writes and the studio reads. Each event's JSON writer and reader sit side by side in
// run_events.cpp, so a field is named in one place.
//
// Reading treats every line as hostile: it may be garbage, cut off, huge, or a valid JSON object with
// fields of the wrong type. Parsing never throws; a bad line becomes an error string the caller may log.

#include <cmath>
#include <limits>
#include <optional>
#include <variant>

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace ft {

// A value the worker did not send (JSON has no NaN: it is written as an absent field or null).
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
    int worldSize = 1;           // data-parallel processes training together
};

// `step`: one optimizer step. Values the worker did not send are NaN.
struct StepPoint {
    qint64 step = 0; // optimizer steps completed
    qint64 totalSteps = 0;
    double epoch = 0.0;     // fractional
    double loss = kNoValue; // mean over the step's target tokens
    double learningRate = kNoValue;
    double gradNorm = kNoValue; // global L2 norm before clipping
    qint64 tokens = 0;          // seen so far
    double tokensPerSecond = kNoValue;
    double elapsed = 0.0; // seconds since the run (or its resumption) started
    double eta = kNoValue;
    // DPO runs (objective "dpo"), over the step's pairs: the mean implicit rewards
    // beta * (log pi(y|x) - log pi_ref(y|x)) of the chosen and the rejected answers, the mean margin
    // between them, and the share of pairs whose chosen answer has the higher reward. NaN otherwise.
    double chosenReward = kNoValue;
    double rejectedReward = kNoValue;
    double rewardMargin = kNoValue;
    double rewardAccuracy = kNoValue;
};

// `eval`: a validation pass.
struct EvalPoint {
    qint64 step = 0;
    double valLoss = kNoValue;
    double perplexity = kNoValue;
    double bestValLoss = kNoValue;
    bool isBest = false;
    // DPO runs: the validation pairs' mean reward margin and reward accuracy (as in StepPoint); the
    // loss above is then the DPO loss, and perplexity is not sent.
    double rewardMargin = kNoValue;
    double rewardAccuracy = kNoValue;
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

// `log`
struct LogEvent {
    QString level; // "info", "warning", ...
    QString message;
};

// `paused` / `resumed`
struct PausedEvent {
    bool paused = false;
};

// How a run ends. The worker reports the first four; the studio concludes `interrupted` when a
// worker died by a signal without reporting.
enum class RunOutcome { Finished, Stopped, Diverged, Failed, Interrupted };
QString runOutcomeName(RunOutcome outcome); // "finished", "stopped", ...
std::optional<RunOutcome> runOutcomeFromName(const QString& name);
// The final statuses of a run: the outcomes' names.
bool isFinalRunStatus(const QString& status);

// `finished` | `stopped` | `diverged` | `failed` (the event's name is the status), or the worker's exit
// without one of them.
struct RunEndInfo {
    QString status; // a runOutcomeName()
    QString message;
    qint64 step = -1;
    qint64 tokens = 0;
    QString exportPath;            // finished runs: the exported model folder
    double bestValLoss = kNoValue; // when the run was validated
    int exitCode = -1;             // the worker's exit status (or signal), -1 when not known
    bool reportedByWorker = false; // false: made up from the exit status and stderr

    bool hasBestValLoss() const { return !std::isnan(bestValLoss); }
};

using WorkerEvent =
    std::variant<RunStartInfo, StepPoint, EvalPoint, SamplePoint, CheckpointPoint, LogEvent, PausedEvent, RunEndInfo>;

// Longest text kept from any string field (messages, samples); longer ones are cut with a note.
constexpr int kMaxEventTextChars = 64 * 1024;

// The event as one JSON object: "event" (its name) and its fields, without "time". Optional values
// (NaN, empty export path) are left out.
QJsonObject workerEventJson(const WorkerEvent& event);
// One line of the stream: the event's JSON with "time" (UTC, ISO 8601 with milliseconds), compact,
// ending in a newline.
QByteArray workerEventLine(const WorkerEvent& event, const QDateTime& time = QDateTime::currentDateTimeUtc());

// Parses one line (without its newline). Unknown event names, invalid JSON and wrong field types give
// std::nullopt and a one-line reason in *error (when given).
std::optional<WorkerEvent> parseWorkerEvent(const QByteArray& line, QString* error = nullptr);

// Every event name the worker writes, in docs/events.md's order.
QStringList workerEventNames();

} // namespace ft

Q_DECLARE_METATYPE(ft::RunStartInfo)
Q_DECLARE_METATYPE(ft::StepPoint)
Q_DECLARE_METATYPE(ft::EvalPoint)
Q_DECLARE_METATYPE(ft::SamplePoint)
Q_DECLARE_METATYPE(ft::CheckpointPoint)
Q_DECLARE_METATYPE(ft::RunEndInfo)
