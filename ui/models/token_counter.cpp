#include "models/token_counter.h"

#include <QTimer>

#include "data/example_encoder.h"
#include "models/background_task.h"
#include "store/database.h"
#include "store/example_store.h"

namespace ft::ui {

TokenCounter::TokenCounter(QThreadPool* pool, QObject* parent)
    : QObject(parent)
    , m_pool(pool)
{
}

TokenCounter::~TokenCounter() = default;

void TokenCounter::setDatabasePath(const QString& path)
{
    if (path == m_databasePath)
        return;
    m_databasePath = path;
    ++m_generation;
    m_cache.clear();
    m_pending.clear();
    m_pendingSet.clear();
}

void TokenCounter::setSetup(const TokenSetup& setup)
{
    m_setup = setup;
    ++m_generation;
    m_cache.clear();
    m_pending.clear();
    m_pendingSet.clear();
}

const TokenCounts* TokenCounter::counts(qint64 id, qint64 modified) const
{
    const auto it = m_cache.constFind(id);
    if (it == m_cache.constEnd() || it->modified < modified) // counted from an older text
        return nullptr;
    return &it->counts;
}

void TokenCounter::request(qint64 id)
{
    if (!m_setup.valid() || m_databasePath.isEmpty() || m_pendingSet.contains(id))
        return;
    m_pending.push_back(id);
    m_pendingSet.insert(id);
    if (m_pending.size() > size_t(kMaxPending)) { // scrolled far past: the oldest requests are dropped
        const size_t drop = m_pending.size() - size_t(kMaxPending);
        for (size_t i = 0; i < drop; ++i)
            m_pendingSet.remove(m_pending[i]);
        m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(drop));
    }
    if (!m_running)
        QTimer::singleShot(0, this, &TokenCounter::startNext);
}

void TokenCounter::forget(const QVector<qint64>& ids)
{
    for (const qint64 id : ids)
        m_cache.remove(id);
}

void TokenCounter::startNext()
{
    if (m_running || m_pending.empty() || !m_setup.valid())
        return;
    std::vector<qint64> ids;
    while (!m_pending.empty() && ids.size() < size_t(kBatch)) { // newest first
        ids.push_back(m_pending.back());
        m_pendingSet.remove(m_pending.back());
        m_pending.pop_back();
    }
    m_running = true;
    const quint64 generation = m_generation;
    const TokenSetup setup = m_setup;
    const QString path = m_databasePath;
    startTask<Batch>(
        this, m_pool,
        [ids, setup, path](TaskControl&) {
            Batch batch;
            for (const StoredExample& example : ExampleStore(threadConnection(path)).examplesById(ids)) {
                const TokenizedExample encoded =
                    encodeExample(*setup.tokenizer, setup.promptTemplate, example.record, LossOn::Response, 0);
                batch.ids << example.id;
                batch.modified << example.modified;
                batch.counts << TokenCounts{encoded.promptTokens, encoded.responseTokens};
            }
            return batch;
        },
        [this, generation](TaskOutcome<Batch> outcome) {
            m_running = false;
            if (generation == m_generation && outcome.value) {
                const Batch& batch = *outcome.value;
                for (qsizetype i = 0; i < batch.ids.size(); ++i)
                    m_cache.insert(batch.ids[i], Entry{batch.modified[i], batch.counts[i]});
                if (!batch.ids.isEmpty())
                    emit counted(batch.ids);
            }
            startNext();
        });
}

} // namespace ft::ui
