#pragma once
// ExampleTableModel: the examples of one dataset as a table, fetched lazily from SQLite.
//
// The filter (full text, tag, split, flags) and the order are SQL (ExampleStore). The model holds
// only the ordered ids of the matching examples, fetched on a thread (a full-text filter or a text
// sort over 100,000 examples takes a few hundred milliseconds, too long for the GUI thread), and a
// windowed cache of rows: the rows a view asks for are read a page of 100 at a time by id, at most
// kMaxCachedPages pages are kept (least recently used go first). So 50,000 rows cost 400 KB of ids
// and scroll at the speed of one indexed page read per 100 rows.
//
// After an edit the id list is fetched again and compared with the old one: examples that left are
// removed (beginRemoveRows), new ones inserted, and a changed order is a layout change that keeps
// every persistent index (selection, current row) on its example. Changed examples are re-read.
//
// The Tokens column comes from a TokenCounter (counted on a thread, "…" until then; empty without a
// model); it sorts by length in characters, which SQL knows. Rows are not edited in the table: the
// page's editor and bulk actions change them through undo commands.

#include <list>
#include <optional>
#include <vector>

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

#include "store/example_store.h"

namespace ft::ui {

class DatasetSession;
class TokenCounter;

class ExampleTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Instruction, Response, Tags, Split, Tokens, Flags, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1, FlagsRole, SplitRole, TagsRole, MultiTurnRole };

    ExampleTableModel(DatasetSession* session, QObject* parent = nullptr);
    ~ExampleTableModel() override;

    void setTokenCounter(TokenCounter* counter);
    void setDataset(qint64 datasetId); // 0: none
    qint64 datasetId() const { return m_datasetId; }
    void setFilter(const ExampleFilter& filter);
    const ExampleFilter& filter() const { return m_filter; }
    const ExampleSort& sortOrder() const { return m_sort; }
    // Fetches the id list again (after a change made elsewhere) and applies the difference.
    void refresh();

    bool isLoading() const { return m_loading; }
    qint64 idAt(int row) const;
    int rowOf(qint64 id) const; // -1 when not shown
    const std::vector<qint64>& ids() const { return m_ids; }
    int cachedPages() const { return static_cast<int>(m_pageOrder.size()); }
    int pagesRead() const { return m_pagesRead; } // pages read from SQLite so far (for tests)

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    static constexpr int kPageSize = 100;
    static constexpr int kMaxCachedPages = 60;

signals:
    void loaded(); // the id list of the current dataset, filter and order is in
    void loadFailed(const QString& message);

private:
    struct Row {
        qint64 id = 0;
        QString instruction; // one line, shortened for display
        QString response;
        QStringList tags;
        ft::Split split = ft::Split::Train;
        int flags = 0;
        int turns = 0;
        qint64 modified = 0;
    };
    void reload(bool reset);
    void applyIds(std::vector<qint64> ids, bool reset);
    void rebuildRowIndex();
    const Row* row(int index) const;
    std::vector<qint64> pageSlice(int page) const; // the ids of rows [page * kPageSize, +kPageSize)
    void fetchPage(int page) const;
    void forgetRows(const QVector<qint64>& ids);
    void onExamplesChanged(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved);
    void onCounted(const QVector<qint64>& ids);

    DatasetSession* m_session;
    TokenCounter* m_counter = nullptr;
    qint64 m_datasetId = 0;
    ExampleFilter m_filter;
    ExampleSort m_sort;
    std::vector<qint64> m_ids;
    QHash<qint64, int> m_rowOf;
    mutable QHash<qint64, Row> m_rows;
    mutable QHash<int, std::vector<qint64>> m_pageIds; // cached page -> its ids
    mutable std::list<int> m_pageOrder;                // most recently used first
    mutable int m_pagesRead = 0;
    quint64 m_generation = 0;
    bool m_loading = false;
};

} // namespace ft::ui
