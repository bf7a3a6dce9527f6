#include "runs/paired_generation.h"

namespace ft {

PairedGeneration::PairedGeneration(QObject* parent)
    : QObject(parent)
{
    for (int side = 0; side < 2; ++side) {
        auto* process = new GenerationProcess(this);
        m_processes[static_cast<size_t>(side)] = process;
        connect(process, &GenerationProcess::finished, this,
                [this, side](const GenerationResult& result) { sideFinished(side, result); });
        connect(process, &GenerationProcess::failed, this,
                [this, side](const QString& message) { sideFailed(side, message); });
    }
}

void PairedGeneration::setCliPath(const QString& path)
{
    for (GenerationProcess* process : m_processes)
        process->setCliPath(path);
}

void PairedGeneration::start(GenerationRequest a, GenerationRequest b, const QString& prompt)
{
    if (m_running)
        stopAll();
    m_prompt = prompt;
    m_results = {};
    m_running = true;
    a.prompt = prompt;
    b.prompt = prompt;
    a.history.clear();
    b.history.clear();
    m_processes[0]->start(a);
    m_processes[1]->start(b);
}

void PairedGeneration::cancel()
{
    if (!m_running)
        return;
    stopAll();
    emit cancelled();
}

void PairedGeneration::stopAll()
{
    m_running = false;
    for (GenerationProcess* process : m_processes)
        process->cancel(); // its `cancelled` is not listened to: this object reports once
}

void PairedGeneration::sideFinished(int side, const GenerationResult& result)
{
    if (!m_running)
        return;
    m_results[static_cast<size_t>(side)] = result;
    if (!m_results[0] || !m_results[1])
        return;
    m_running = false;
    emit finished(m_prompt, *m_results[0], *m_results[1]);
}

void PairedGeneration::sideFailed(int side, const QString& message)
{
    if (!m_running)
        return;
    stopAll();
    emit failed((side == 0 ? tr("the first model: %1") : tr("the second model: %1")).arg(message));
}

} // namespace ft
