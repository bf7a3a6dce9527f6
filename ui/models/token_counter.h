#pragma once
// Token counts of examples for the chosen model and template, counted on a thread and cached.
//
// TokenSetup is the choice (the model's tokenizer, the template, the context length). TokenCounter
// takes requests for example ids (the rows a view shows), reads those examples on its own thread
// with its own connection, encodes them exactly as training will (encodeExample: template, BOS,
// EOS; loss on the responses) and keeps (prompt, response) token counts per id, together with the
// example's modification time so a count of an older text is never shown for a newer one. The most
// recent requests go first, so the rows on screen are counted before those scrolled past.

#include <memory>
#include <vector>

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QVector>

#include "data/prompt_template.h"
#include "modelio/tokenizer.h"

class QThreadPool;

namespace ft::ui {

struct TokenSetup {
    QString modelPath;
    std::shared_ptr<const Tokenizer> tokenizer; // null: no model chosen (no counts)
    PromptTemplate promptTemplate = PromptTemplate::builtin(QStringLiteral("alpaca"));
    qint64 contextLength = 0; // the model's context (or the user's max length); 0: unknown
    bool valid() const { return tokenizer != nullptr; }
};

struct TokenCounts {
    qint64 prompt = 0;
    qint64 response = 0;
    qint64 total() const { return prompt + response; }
};

class TokenCounter : public QObject {
    Q_OBJECT
public:
    TokenCounter(QThreadPool* pool, QObject* parent = nullptr);
    ~TokenCounter() override;

    void setDatabasePath(const QString& path);
    void setSetup(const TokenSetup& setup); // forgets every count
    const TokenSetup& setup() const { return m_setup; }

    // The counts of `id` as of modification time `modified` or later, if known (else request() them).
    const TokenCounts* counts(qint64 id, qint64 modified) const;
    void request(qint64 id);
    void forget(const QVector<qint64>& ids);
    bool isIdle() const { return !m_running && m_pending.empty(); }

    static constexpr int kBatch = 64;
    static constexpr int kMaxPending = 4000;

signals:
    void counted(const QVector<qint64>& ids);

private:
    struct Entry {
        qint64 modified = 0;
        TokenCounts counts;
    };
    struct Batch {
        QVector<qint64> ids;
        QVector<qint64> modified;
        QVector<TokenCounts> counts;
    };
    void startNext();
    QThreadPool* m_pool;
    QString m_databasePath;
    TokenSetup m_setup;
    quint64 m_generation = 0;
    QHash<qint64, Entry> m_cache;
    std::vector<qint64> m_pending; // newest last
    QSet<qint64> m_pendingSet;
    bool m_running = false;
};

} // namespace ft::ui
