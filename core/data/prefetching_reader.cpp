#include "data/prefetching_reader.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace ft {

namespace {

class PrefetchingReader final : public DatasetReader {
public:
    PrefetchingReader(std::unique_ptr<DatasetReader> reader, int batch, int depth)
        : m_reader(std::move(reader))
        , m_batchSize(batch)
        , m_depth(depth)
        , m_total(m_reader->totalBytes())
    {
        m_thread = std::thread([this] { produce(); });
    }

    ~PrefetchingReader() override
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_abandoned = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }

    bool next(ImportedExample* example) override
    {
        while (m_current.items.empty() || m_position >= m_current.items.size()) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return !m_ready.empty() || m_finished; });
            if (m_ready.empty()) {
                // The producer is done: rethrow its error here, after every record before it.
                if (m_error)
                    std::rethrow_exception(m_error);
                return false;
            }
            m_current = std::move(m_ready.front());
            m_ready.pop_front();
            m_position = 0;
            lock.unlock();
            m_changed.notify_all();
        }
        *example = std::move(m_current.items[m_position]);
        m_bytesRead = m_current.bytesAfter[m_position];
        ++m_position;
        return true;
    }

    qint64 bytesRead() const override { return m_bytesRead; }
    qint64 totalBytes() const override { return m_total; }

    // Valid once next() has returned false (the producer has then finished).
    const std::vector<ImportIssue>& issues() const override { return m_reader->issues(); }
    const ImportCounts& counts() const override { return m_reader->counts(); }

private:
    struct Batch {
        std::vector<ImportedExample> items;
        std::vector<qint64> bytesAfter; // the wrapped reader's position after each record
    };

    void produce()
    {
        try {
            Batch batch;
            ImportedExample example;
            while (m_reader->next(&example)) {
                batch.items.push_back(std::move(example));
                batch.bytesAfter.push_back(m_reader->bytesRead());
                if (static_cast<int>(batch.items.size()) == m_batchSize && !hand(std::move(batch)))
                    return;
                if (batch.items.empty())
                    batch = Batch{};
            }
            if (!batch.items.empty() && !hand(std::move(batch)))
                return;
        } catch (...) {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_finished = true;
        }
        m_changed.notify_all();
    }

    // Waits for room in the queue; false when the consumer went away.
    bool hand(Batch&& batch)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return static_cast<int>(m_ready.size()) < m_depth || m_abandoned; });
        if (m_abandoned)
            return false;
        m_ready.push_back(std::move(batch));
        lock.unlock();
        m_changed.notify_all();
        return true;
    }

    std::unique_ptr<DatasetReader> m_reader;
    const int m_batchSize;
    const int m_depth;
    const qint64 m_total;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Batch> m_ready;
    bool m_finished = false;
    bool m_abandoned = false;
    std::exception_ptr m_error;
    Batch m_current;
    size_t m_position = 0;
    qint64 m_bytesRead = 0;
};

} // namespace

std::unique_ptr<DatasetReader> prefetchingReader(std::unique_ptr<DatasetReader> reader, int batch, int depth)
{
    return std::make_unique<PrefetchingReader>(std::move(reader), batch, depth);
}

} // namespace ft
