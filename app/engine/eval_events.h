#pragma once
// How `ftstudio-cli eval` reports: with --events jsonl one JSON object per line on stdout (the studio's
// live channel; schema in docs/events.md), else a progress line on stderr when it is a terminal and
// messages on stderr.

#include <QJsonObject>
#include <QString>

#include "engine/evaluator.h"

namespace ft::cli {

class EvalReporter {
public:
    explicit EvalReporter(bool jsonEvents);
    ~EvalReporter();

    bool jsonEvents() const { return m_json; }
    // `target`: "run", "base" (a run's base model) or "model".
    void started(const QJsonObject& fields);
    void progress(const QString& target, EvalPhase phase, int64_t done, int64_t total);
    void example(const QString& target, const EvalExample& example);
    void result(const QString& target, const QJsonObject& fields);
    void log(const QString& level, const QString& message);
    // Exactly one of these ends the stream.
    void finished(const QJsonObject& fields);
    void failed(const QString& message);
    void cancelled(const QString& message);
    bool ended() const { return m_ended; }

private:
    void publish(const QString& event, const QJsonObject& fields);
    void clearProgressLine();

    bool m_json;
    bool m_terminal;
    bool m_progressShown = false;
    bool m_ended = false;
};

QJsonObject exampleJson(const EvalExample& example);
QJsonObject metricsJson(const std::map<QString, double>& metrics);

} // namespace ft::cli
