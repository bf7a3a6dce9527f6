#pragma once
// PairedGeneration: the same prompt answered by two models at once, each in its own `ftstudio-cli
// generate` process (GenerationProcess), for rating the two answers side by side. `finished` comes once
// both answers are complete; if either fails, the other is stopped and `failed` names the side.

#include <array>
#include <optional>

#include <QObject>

#include "runs/generation_process.h"

namespace ft {

class PairedGeneration : public QObject {
    Q_OBJECT
public:
    explicit PairedGeneration(QObject* parent = nullptr);

    void setCliPath(const QString& path);
    // Asks `prompt` of both: each request brings its model, checkpoint, template and sampling settings.
    void start(GenerationRequest a, GenerationRequest b, const QString& prompt);
    bool isRunning() const { return m_running; }

public slots:
    void cancel();

signals:
    void finished(const QString& prompt, const ft::GenerationResult& a, const ft::GenerationResult& b);
    void failed(const QString& message); // "the first model: ...", "the second model: ..."
    void cancelled();

private:
    void sideFinished(int side, const GenerationResult& result);
    void sideFailed(int side, const QString& message);
    void stopAll();

    std::array<GenerationProcess*, 2> m_processes{};
    std::array<std::optional<GenerationResult>, 2> m_results;
    QString m_prompt;
    bool m_running = false;
};

} // namespace ft
