#include "models/example_table_model.h"

#include <QSet>

#include "models/background_task.h"
#include "models/dataset_session.h"
#include "models/token_counter.h"
#include "store/database.h"

namespace ft::ui {

namespace {

// One line, at most `max` characters, for a table cell.
QString oneLine(const QString& text, int max = 200)
{
    QString line = text.left(max + 1).simplified();
    if (line.size() > max || text.size() > max + 1)
        line = line.left(max) + QStringLiteral("…");
    return line;
}

std::optional<ExampleColumn> sqlColumn(int column)
{
    switch (column) {
    case ExampleTableModel::Instruction:
        return ExampleColumn::Instruction;
    case ExampleTableModel::Response:
        return ExampleColumn::Response;
    case ExampleTableModel::Tags:
        return ExampleColumn::Tags;
    case ExampleTableModel::Split:
        return ExampleColumn::Split;
    case ExampleTableModel::Tokens:
        return ExampleColumn::Length;
    case ExampleTableModel::Flags:
        return ExampleColumn::Flags;
    default:
        return std::nullopt;
    }
}

// More changes than this in one refresh: a reset instead of row by row.
constexpr int kMaxIncrementalRuns = 200;

} // namespace

ExampleTableModel::ExampleTableModel(DatasetSession* session, QObject* parent)
    : QAbstractTableModel(parent)
    , m_session(session)
{
    connect(m_session, &DatasetSession::examplesChanged, this, &ExampleTableModel::onExamplesChanged);
    connect(m_session, &DatasetSession::closed, this, [this] { setDataset(0); });
}

ExampleTableModel::~ExampleTableModel() = default;

void ExampleTableModel::setTokenCounter(TokenCounter* counter)
{
    if (m_counter)
        disconnect(m_counter, nullptr, this, nullptr);
    m_counter = counter;
    if (m_counter)
        connect(m_counter, &TokenCounter::counted, this, &ExampleTableModel::onCounted);
    if (!m_ids.empty())
        emit dataChanged(index(0, Tokens), index(rowCount() - 1, Tokens));
}

void ExampleTableModel::setDataset(qint64 datasetId)
{
    m_datasetId = datasetId;
    reload(true);
}

void ExampleTableModel::setFilter(const ExampleFilter& filter)
{
    m_filter = filter;
    reload(false);
}

void ExampleTableModel::refresh() { reload(false); }

void ExampleTableModel::reload(bool reset)
{
    const quint64 generation = ++m_generation;
    if (m_datasetId == 0 || !m_session->isOpen()) {
        applyIds({}, true);
        m_loading = false;
        emit loaded();
        return;
    }
    if (reset)
        applyIds({}, true); // the old dataset's rows go at once
    m_loading = true;
    const QString path = m_session->databasePath();
    const qint64 datasetId = m_datasetId;
    const ExampleFilter filter = m_filter;
    const ExampleSort sort = m_sort;
    startTask<std::vector<qint64>>(
        this, m_session->pool(),
        [path, datasetId, filter, sort](TaskControl&) {
            return ExampleStore(threadConnection(path)).ids(datasetId, filter, sort);
        },
        [this, generation, reset](TaskOutcome<std::vector<qint64>> outcome) {
            if (generation != m_generation)
                return; // a newer request is on its way
            m_loading = false;
            if (!outcome.value) {
                emit loadFailed(outcome.error);
                return;
            }
            applyIds(std::move(*outcome.value), reset);
            emit loaded();
        });
}

void ExampleTableModel::applyIds(std::vector<qint64> ids, bool reset)
{
    m_pageIds.clear();
    m_pageOrder.clear();
    m_rows.clear();
    if (!reset) {
        // Removed runs, then a reorder of what stays, then inserted runs: persistent indexes (the
        // selection, the current row) stay on their examples.
        QSet<qint64> newSet;
        newSet.reserve(static_cast<qsizetype>(ids.size()));
        for (const qint64 id : ids)
            newSet.insert(id);
        std::vector<std::pair<int, int>> removed; // [first, last]
        for (int i = 0; i < static_cast<int>(m_ids.size()); ++i) {
            if (newSet.contains(m_ids[size_t(i)]))
                continue;
            if (!removed.empty() && removed.back().second == i - 1)
                removed.back().second = i;
            else
                removed.push_back({i, i});
        }
        QSet<qint64> oldSet;
        oldSet.reserve(static_cast<qsizetype>(m_ids.size()));
        for (const qint64 id : m_ids)
            oldSet.insert(id);
        int insertedRuns = 0;
        for (size_t i = 0; i < ids.size(); ++i)
            if (!oldSet.contains(ids[i]) && (i == 0 || oldSet.contains(ids[i - 1])))
                ++insertedRuns;
        reset = static_cast<int>(removed.size()) + insertedRuns > kMaxIncrementalRuns;
        if (!reset) {
            for (auto it = removed.rbegin(); it != removed.rend(); ++it) {
                beginRemoveRows({}, it->first, it->second);
                m_ids.erase(m_ids.begin() + it->first, m_ids.begin() + it->second + 1);
                endRemoveRows();
            }
            std::vector<qint64> kept; // the new order of the rows that stay
            kept.reserve(m_ids.size());
            for (const qint64 id : ids)
                if (oldSet.contains(id))
                    kept.push_back(id);
            if (kept != m_ids) {
                emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
                QHash<qint64, int> newRow;
                newRow.reserve(static_cast<qsizetype>(kept.size()));
                for (int i = 0; i < static_cast<int>(kept.size()); ++i)
                    newRow.insert(kept[size_t(i)], i);
                const QModelIndexList before = persistentIndexList();
                QModelIndexList after;
                after.reserve(before.size());
                for (const QModelIndex& index : before) {
                    const int row = newRow.value(m_ids[size_t(index.row())], -1);
                    after << (row >= 0 ? createIndex(row, index.column()) : QModelIndex());
                }
                m_ids = kept;
                changePersistentIndexList(before, after);
                emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
            }
            for (size_t i = 0; i < ids.size();) {
                if (oldSet.contains(ids[i])) {
                    ++i;
                    continue;
                }
                size_t end = i;
                while (end < ids.size() && !oldSet.contains(ids[end]))
                    ++end;
                beginInsertRows({}, static_cast<int>(i), static_cast<int>(end) - 1);
                m_ids.insert(m_ids.begin() + static_cast<std::ptrdiff_t>(i),
                             ids.begin() + static_cast<std::ptrdiff_t>(i),
                             ids.begin() + static_cast<std::ptrdiff_t>(end));
                endInsertRows();
                i = end;
            }
            rebuildRowIndex();
            // Views may have read rows between the steps: those pages hold the ids of then.
            m_pageIds.clear();
            m_pageOrder.clear();
            m_rows.clear();
            if (!m_ids.empty())
                emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1)); // re-read what is shown
            return;
        }
    }
    beginResetModel();
    m_ids = std::move(ids);
    rebuildRowIndex();
    endResetModel();
}

void ExampleTableModel::rebuildRowIndex()
{
    m_rowOf.clear();
    m_rowOf.reserve(static_cast<qsizetype>(m_ids.size()));
    for (int i = 0; i < static_cast<int>(m_ids.size()); ++i)
        m_rowOf.insert(m_ids[size_t(i)], i);
}

qint64 ExampleTableModel::idAt(int row) const
{
    return row >= 0 && row < static_cast<int>(m_ids.size()) ? m_ids[size_t(row)] : 0;
}

int ExampleTableModel::rowOf(qint64 id) const { return m_rowOf.value(id, -1); }

const ExampleTableModel::Row* ExampleTableModel::row(int index) const
{
    if (index < 0 || index >= static_cast<int>(m_ids.size()))
        return nullptr;
    const int page = index / kPageSize;
    if (!m_pageIds.contains(page))
        fetchPage(page);
    else if (m_pageOrder.front() != page) {
        m_pageOrder.remove(page);
        m_pageOrder.push_front(page);
    }
    auto it = m_rows.constFind(m_ids[size_t(index)]);
    if (it == m_rows.constEnd() && m_pageIds.value(page) != pageSlice(page)) { // read while the ids were changing
        m_pageOrder.remove(page);
        for (const qint64 id : m_pageIds.take(page))
            m_rows.remove(id);
        fetchPage(page);
        it = m_rows.constFind(m_ids[size_t(index)]);
    }
    return it == m_rows.constEnd() ? nullptr : &*it; // null: deleted meanwhile
}

std::vector<qint64> ExampleTableModel::pageSlice(int page) const
{
    const size_t first = std::min(m_ids.size(), size_t(page) * kPageSize);
    const size_t last = std::min(m_ids.size(), first + kPageSize);
    return std::vector<qint64>(m_ids.begin() + static_cast<std::ptrdiff_t>(first),
                               m_ids.begin() + static_cast<std::ptrdiff_t>(last));
}

void ExampleTableModel::fetchPage(int page) const
{
    const std::vector<qint64> ids = pageSlice(page);
    std::vector<StoredExample> examples;
    try {
        examples = m_session->examples().examplesById(ids); // one bounded read: at most kPageSize rows by key
    } catch (const Error&) {
        // The workspace went away (or is locked beyond the timeout): the rows show empty this time.
    }
    ++m_pagesRead;
    for (const StoredExample& example : examples) {
        Row row;
        row.id = example.id;
        if (example.record.isMultiTurn()) {
            row.turns = static_cast<int>(example.record.turns.size());
            row.instruction = oneLine(example.record.turns.front().content);
            row.response = oneLine(example.record.turns.size() > 1 ? example.record.turns[1].content : QString());
        } else {
            row.instruction = oneLine(example.record.input.isEmpty()
                                          ? example.record.instruction
                                          : example.record.instruction + QStringLiteral(" ⏎ ") + example.record.input);
            row.response = oneLine(example.record.response);
        }
        row.tags = example.tags;
        row.split = example.split;
        row.flags = example.flags;
        row.modified = example.modified;
        m_rows.insert(row.id, row);
    }
    m_pageIds.insert(page, ids);
    m_pageOrder.push_front(page);
    while (static_cast<int>(m_pageOrder.size()) > kMaxCachedPages) {
        const int oldest = m_pageOrder.back();
        m_pageOrder.pop_back();
        for (const qint64 id : m_pageIds.take(oldest))
            m_rows.remove(id);
    }
}

void ExampleTableModel::forgetRows(const QVector<qint64>& ids)
{
    // The pages holding these rows are read again when next shown.
    QSet<int> pages;
    for (const qint64 id : ids) {
        const int row = rowOf(id);
        if (row >= 0)
            pages.insert(row / kPageSize);
    }
    for (const int page : pages) {
        if (!m_pageIds.contains(page))
            continue;
        m_pageOrder.remove(page);
        for (const qint64 id : m_pageIds.take(page))
            m_rows.remove(id);
    }
}

void ExampleTableModel::onExamplesChanged(qint64 datasetId, const QVector<qint64>& ids, bool rowsAddedOrRemoved)
{
    Q_UNUSED(rowsAddedOrRemoved);
    if (datasetId != m_datasetId)
        return;
    forgetRows(ids);
    if (m_counter)
        m_counter->forget(ids);
    int first = -1, last = -1; // one signal for the span, not one per example
    for (const qint64 id : ids) {
        const int r = rowOf(id);
        if (r < 0)
            continue;
        first = first < 0 ? r : std::min(first, r);
        last = std::max(last, r);
    }
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
    // A change may move a row in or out of the filter, or elsewhere in the order.
    refresh();
}

void ExampleTableModel::onCounted(const QVector<qint64>& ids)
{
    for (const qint64 id : ids) {
        const int r = rowOf(id);
        if (r >= 0)
            emit dataChanged(index(r, Tokens), index(r, Tokens), {Qt::DisplayRole, Qt::ToolTipRole});
    }
}

int ExampleTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_ids.size());
}

int ExampleTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ExampleTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    if (role == IdRole)
        return idAt(index.row());
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != FlagsRole && role != SplitRole &&
        role != TagsRole && role != MultiTurnRole)
        return {};
    const Row* r = row(index.row());
    if (!r)
        return {};
    switch (role) {
    case FlagsRole:
        return r->flags;
    case SplitRole:
        return splitName(r->split);
    case TagsRole:
        return r->tags;
    case MultiTurnRole:
        return r->turns > 0;
    default:
        break;
    }
    switch (index.column()) {
    case Instruction:
        return r->turns > 0 ? tr("[%n turn(s)] ", nullptr, r->turns) + r->instruction : r->instruction;
    case Response:
        return r->response;
    case Tags:
        return r->tags.join(QStringLiteral(", "));
    case Split:
        return splitName(r->split);
    case Tokens: {
        if (!m_counter || !m_counter->setup().valid())
            return {};
        const TokenCounts* counts = m_counter->counts(r->id, r->modified);
        if (!counts) {
            m_counter->request(r->id);
            return QStringLiteral("…");
        }
        if (role == Qt::ToolTipRole)
            return tr("%1 prompt + %2 response tokens").arg(counts->prompt).arg(counts->response);
        return counts->total();
    }
    case Flags:
        return exampleFlagNames(r->flags).replace(QLatin1Char(','), QStringLiteral(", "));
    default:
        return {};
    }
}

QVariant ExampleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case Instruction:
        return tr("Instruction");
    case Response:
        return tr("Response");
    case Tags:
        return tr("Tags");
    case Split:
        return tr("Split");
    case Tokens:
        return tr("Tokens");
    case Flags:
        return tr("Flags");
    default:
        return {};
    }
}

Qt::ItemFlags ExampleTableModel::flags(const QModelIndex& index) const
{
    return index.isValid() ? Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren : Qt::NoItemFlags;
}

void ExampleTableModel::sort(int column, Qt::SortOrder order)
{
    const std::optional<ExampleColumn> sqlColumnOf = sqlColumn(column);
    m_sort.column = sqlColumnOf.value_or(ExampleColumn::Position);
    m_sort.descending = order == Qt::DescendingOrder;
    reload(false);
}

} // namespace ft::ui
