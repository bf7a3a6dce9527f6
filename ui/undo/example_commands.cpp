#include "undo/example_commands.h"

#include <QCoreApplication>

#include "common/error.h"
#include "models/dataset_session.h"
#include "store/database.h"
#include "store/dataset_store.h"

namespace ft::ui {

namespace {

// The undo commands' texts, in one translation context (lupdate finds them as ExampleCommands::tr).
struct ExampleCommands {
    Q_DECLARE_TR_FUNCTIONS(ExampleCommands)
};

QVector<qint64> toVector(const std::vector<qint64>& ids) { return QVector<qint64>(ids.begin(), ids.end()); }

template <typename Pair> QVector<qint64> firstOf(const std::vector<Pair>& pairs)
{
    QVector<qint64> ids;
    ids.reserve(static_cast<qsizetype>(pairs.size()));
    for (const auto& pair : pairs)
        ids << pair.first;
    return ids;
}

} // namespace

StoreCommand::StoreCommand(DatasetSession* session, qint64 datasetId, const QString& text)
    : QUndoCommand(text)
    , m_session(session)
    , m_datasetId(datasetId)
{
}

bool StoreCommand::write(qsizetype rows, const std::function<void(QSqlDatabase)>& work, const QVector<qint64>& changed,
                         bool structural)
{
    try {
        m_session->runWrite(rows, work);
    } catch (const Error& error) {
        m_failed = true;
        setObsolete(true);
        m_session->reportError(ExampleCommands::tr("%1 failed: %2").arg(text(), error.message()));
        return false;
    }
    m_session->notifyExamples(m_datasetId, changed, structural);
    return true;
}

// ---- EditExampleCommand

EditExampleCommand::EditExampleCommand(DatasetSession* session, const StoredExample& before, const StoredExample& after,
                                       int mergeKey)
    : StoreCommand(session, after.datasetId, ExampleCommands::tr("Edit example"))
    , m_before(before)
    , m_after(after)
    , m_mergeKey(mergeKey)
{
}

void EditExampleCommand::redo()
{
    const StoredExample after = m_after;
    write(
        1, [after](QSqlDatabase db) { ExampleStore(db).update(after); }, {after.id}, false);
}

void EditExampleCommand::undo()
{
    const StoredExample before = m_before;
    write(
        1, [before](QSqlDatabase db) { ExampleStore(db).update(before); }, {before.id}, false);
}

bool EditExampleCommand::mergeWith(const QUndoCommand* other)
{
    const auto* edit = dynamic_cast<const EditExampleCommand*>(other);
    if (!edit || edit->m_mergeKey != m_mergeKey || edit->m_after.id != m_after.id || edit->failed())
        return false;
    m_after = edit->m_after;
    return true;
}

// ---- InsertExamplesCommand

InsertExamplesCommand::InsertExamplesCommand(DatasetSession* session, qint64 datasetId, const QString& text)
    : StoreCommand(session, datasetId, text)
{
}

InsertExamplesCommand* InsertExamplesCommand::add(DatasetSession* session, qint64 datasetId,
                                                  std::vector<StoredExample> examples)
{
    auto* command = new InsertExamplesCommand(
        session, datasetId, ExampleCommands::tr("Add %n example(s)", nullptr, static_cast<int>(examples.size())));
    command->m_toAdd = std::move(examples);
    return command;
}

InsertExamplesCommand* InsertExamplesCommand::duplicate(DatasetSession* session, qint64 datasetId,
                                                        std::vector<qint64> ids)
{
    auto* command = new InsertExamplesCommand(
        session, datasetId, ExampleCommands::tr("Duplicate %n example(s)", nullptr, static_cast<int>(ids.size())));
    command->m_originals = std::move(ids);
    return command;
}

void InsertExamplesCommand::redo()
{
    if (!m_rows.empty()) { // again, after an undo: the same rows
        const std::vector<StoredExample> rows = m_rows;
        write(
            static_cast<qsizetype>(rows.size()), [rows](QSqlDatabase db) { ExampleStore(db).restore(rows); },
            toVector(m_ids), true);
        return;
    }
    const qint64 datasetId = m_datasetId;
    const std::vector<StoredExample> toAdd = m_toAdd;
    const std::vector<qint64> originals = m_originals;
    std::vector<qint64> created;
    std::vector<StoredExample> rows;
    const qsizetype count = static_cast<qsizetype>(toAdd.size() + originals.size());
    const bool ok = write(
        count,
        [&](QSqlDatabase db) {
            ExampleStore store(db);
            inTransaction(db, [&] {
                for (const StoredExample& example : toAdd)
                    created.push_back(store.add(datasetId, example));
                for (const qint64 id : originals)
                    created.push_back(store.duplicate(id));
            });
            rows = store.examplesById(created);
        },
        {}, false);
    if (!ok)
        return;
    m_ids = created;
    m_rows = rows;
    m_toAdd.clear();
    m_session->notifyExamples(m_datasetId, toVector(m_ids), true);
}

void InsertExamplesCommand::undo()
{
    const std::vector<qint64> ids = m_ids;
    write(
        static_cast<qsizetype>(ids.size()), [ids](QSqlDatabase db) { ExampleStore(db).remove(ids); }, toVector(ids),
        true);
}

// ---- RemoveExamplesCommand

RemoveExamplesCommand::RemoveExamplesCommand(DatasetSession* session, qint64 datasetId, std::vector<qint64> ids,
                                             const QString& text)
    : StoreCommand(session, datasetId,
                   text.isEmpty() ? ExampleCommands::tr("Delete %n example(s)", nullptr, static_cast<int>(ids.size()))
                                  : text)
    , m_ids(std::move(ids))
{
}

void RemoveExamplesCommand::redo()
{
    const std::vector<qint64> ids = m_ids;
    std::vector<StoredExample> removed;
    if (write(
            static_cast<qsizetype>(ids.size()), [&](QSqlDatabase db) { removed = ExampleStore(db).remove(ids); },
            toVector(ids), true))
        m_removed = std::move(removed);
}

void RemoveExamplesCommand::undo()
{
    const std::vector<StoredExample> rows = m_removed;
    write(
        static_cast<qsizetype>(rows.size()), [rows](QSqlDatabase db) { ExampleStore(db).restore(rows); },
        toVector(m_ids), true);
}

// ---- TagExamplesCommand

TagExamplesCommand::TagExamplesCommand(DatasetSession* session, qint64 datasetId, std::vector<qint64> ids,
                                       const QString& tag, Action action)
    : StoreCommand(session, datasetId,
                   (action == Action::Add
                        ? ExampleCommands::tr("Tag %n example(s)", nullptr, static_cast<int>(ids.size()))
                        : ExampleCommands::tr("Untag %n example(s)", nullptr, static_cast<int>(ids.size()))) +
                       QStringLiteral(" \"%1\"").arg(tag))
    , m_ids(std::move(ids))
    , m_tag(tag)
    , m_action(action)
{
}

void TagExamplesCommand::redo()
{
    const std::vector<qint64> ids = m_ids;
    const QString tag = m_tag;
    const bool add = m_action == Action::Add;
    std::vector<qint64> changed;
    write(
        static_cast<qsizetype>(ids.size()),
        [&](QSqlDatabase db) {
            changed = add ? ExampleStore(db).addTag(ids, tag) : ExampleStore(db).removeTag(ids, tag);
        },
        toVector(ids), false);
    m_changed = std::move(changed);
}

void TagExamplesCommand::undo()
{
    const std::vector<qint64> ids = m_changed;
    const QString tag = m_tag;
    const bool add = m_action == Action::Add;
    write(
        static_cast<qsizetype>(ids.size()),
        [&](QSqlDatabase db) {
            if (add)
                ExampleStore(db).removeTag(ids, tag);
            else
                ExampleStore(db).addTag(ids, tag);
        },
        toVector(ids), false);
}

// ---- SetSplitsCommand

SetSplitsCommand::SetSplitsCommand(DatasetSession* session, qint64 datasetId,
                                   std::vector<std::pair<qint64, Split>> splits, const QString& text)
    : StoreCommand(session, datasetId, text)
    , m_splits(std::move(splits))
{
}

void SetSplitsCommand::redo()
{
    const auto splits = m_splits;
    std::vector<std::pair<qint64, Split>> previous;
    if (write(
            static_cast<qsizetype>(splits.size()),
            [&](QSqlDatabase db) { previous = ExampleStore(db).setSplits(splits); }, firstOf(splits), false))
        m_previous = std::move(previous);
}

void SetSplitsCommand::undo()
{
    const auto previous = m_previous;
    write(
        static_cast<qsizetype>(previous.size()), [previous](QSqlDatabase db) { ExampleStore(db).setSplits(previous); },
        firstOf(previous), false);
}

// ---- ReplaceTextsCommand

ReplaceTextsCommand::ReplaceTextsCommand(DatasetSession* session, qint64 datasetId,
                                         std::vector<ExampleTextChange> changes, const QString& text)
    : StoreCommand(session, datasetId, text)
    , m_changes(std::move(changes))
{
}

namespace {
QVector<qint64> idsOf(const std::vector<ExampleTextChange>& changes)
{
    QVector<qint64> ids;
    for (const ExampleTextChange& change : changes)
        ids << change.id;
    return ids;
}
} // namespace

void ReplaceTextsCommand::redo()
{
    const auto changes = m_changes;
    std::vector<ExampleTextChange> previous;
    if (write(
            static_cast<qsizetype>(changes.size()),
            [&](QSqlDatabase db) { previous = ExampleStore(db).replaceTexts(changes); }, idsOf(changes), false))
        m_previous = std::move(previous);
}

void ReplaceTextsCommand::undo()
{
    const auto previous = m_previous;
    write(
        static_cast<qsizetype>(previous.size()),
        [previous](QSqlDatabase db) { ExampleStore(db).replaceTexts(previous); }, idsOf(previous), false);
}

// ---- SetFlagsCommand

SetFlagsCommand::SetFlagsCommand(DatasetSession* session, qint64 datasetId, std::vector<std::pair<qint64, int>> after,
                                 std::vector<std::pair<qint64, int>> before, int mask, const QString& text)
    : StoreCommand(session, datasetId, text)
    , m_after(std::move(after))
    , m_before(std::move(before))
    , m_mask(mask)
{
}

void SetFlagsCommand::apply(const std::vector<std::pair<qint64, int>>& flags)
{
    const int mask = m_mask;
    write(
        static_cast<qsizetype>(flags.size()),
        [flags, mask](QSqlDatabase db) { ExampleStore(db).setFlags(flags, mask); }, firstOf(flags), false);
}

void SetFlagsCommand::redo() { apply(m_after); }

void SetFlagsCommand::undo() { apply(m_before); }

// ---- DatasetPropertyCommand

DatasetPropertyCommand::DatasetPropertyCommand(DatasetSession* session, qint64 datasetId, Property property,
                                               const QString& before, const QString& after)
    : StoreCommand(session, datasetId,
                   property == Property::Name ? ExampleCommands::tr("Rename dataset")
                                              : ExampleCommands::tr("Describe dataset"))
    , m_property(property)
    , m_before(before)
    , m_after(after)
{
}

void DatasetPropertyCommand::apply(const QString& value)
{
    try {
        DatasetStore store = m_session->datasets();
        if (m_property == Property::Name)
            store.rename(m_datasetId, value);
        else
            store.setDescription(m_datasetId, value);
    } catch (const Error& error) {
        m_failed = true;
        setObsolete(true);
        m_session->reportError(error.message());
        return;
    }
    m_session->notifyDatasets();
}

void DatasetPropertyCommand::redo() { apply(m_after); }

void DatasetPropertyCommand::undo() { apply(m_before); }

} // namespace ft::ui
