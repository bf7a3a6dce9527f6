#pragma once
// Every edit of the Datasets page is one of these commands on the session's QUndoStack. Each redo and
// undo is one store call, and every store call is one transaction, so an edit is saved the moment it
// is made (nothing is lost on a crash) and a bulk action over thousands of examples is one step to
// undo. The store's bulk operations return what was there before; the commands keep it for undo.
//
// A command whose store call fails (the example was deleted by another program meanwhile) reports
// the error through the session and makes itself obsolete, so the stack drops it.

#include <functional>
#include <utility>
#include <vector>

#include <QSqlDatabase>
#include <QUndoCommand>

#include "store/example_store.h"

namespace ft::ui {

class DatasetSession;

class StoreCommand : public QUndoCommand {
public:
    StoreCommand(DatasetSession* session, qint64 datasetId, const QString& text);
    qint64 datasetId() const { return m_datasetId; }
    bool failed() const { return m_failed; }

protected:
    // Runs `work` as one write (on a thread when it touches many rows), then tells the views which
    // examples changed. Returns false (and reports) when it threw.
    bool write(qsizetype rows, const std::function<void(QSqlDatabase)>& work, const QVector<qint64>& changed,
               bool structural);
    DatasetSession* m_session;
    qint64 m_datasetId;
    bool m_failed = false;
};

// The editable fields of one example (texts, tags, notes, split, flags), before and after. Typing
// saves every few hundred milliseconds; saves of the same example in one editing session (same
// `mergeKey`) merge into one step.
class EditExampleCommand : public StoreCommand {
public:
    enum { Id = 0x4654 };
    EditExampleCommand(DatasetSession* session, const StoredExample& before, const StoredExample& after,
                       int mergeKey = -1);
    void redo() override;
    void undo() override;
    int id() const override { return m_mergeKey >= 0 ? Id : -1; }
    bool mergeWith(const QUndoCommand* other) override;
    qint64 exampleId() const { return m_after.id; }

private:
    StoredExample m_before, m_after;
    int m_mergeKey;
};

// New examples (added, or copies of others): the first redo creates them; undo removes them and a
// later redo puts the very same rows back (same ids), so later commands still find them.
class InsertExamplesCommand : public StoreCommand {
public:
    // Adds `examples` at the end of the dataset.
    static InsertExamplesCommand* add(DatasetSession* session, qint64 datasetId, std::vector<StoredExample> examples);
    // A copy of each of `ids`, right after its original.
    static InsertExamplesCommand* duplicate(DatasetSession* session, qint64 datasetId, std::vector<qint64> ids);
    void redo() override;
    void undo() override;
    const std::vector<qint64>& createdIds() const { return m_ids; }

private:
    InsertExamplesCommand(DatasetSession* session, qint64 datasetId, const QString& text);
    std::vector<StoredExample> m_toAdd;
    std::vector<qint64> m_originals;
    std::vector<qint64> m_ids;
    std::vector<StoredExample> m_rows; // as created, for redo after undo
};

class RemoveExamplesCommand : public StoreCommand {
public:
    RemoveExamplesCommand(DatasetSession* session, qint64 datasetId, std::vector<qint64> ids, const QString& text = {});
    void redo() override;
    void undo() override;

private:
    std::vector<qint64> m_ids;
    std::vector<StoredExample> m_removed;
};

class TagExamplesCommand : public StoreCommand {
public:
    enum class Action { Add, Remove };
    TagExamplesCommand(DatasetSession* session, qint64 datasetId, std::vector<qint64> ids, const QString& tag,
                       Action action);
    void redo() override;
    void undo() override;
    const std::vector<qint64>& changedIds() const { return m_changed; }

private:
    std::vector<qint64> m_ids;
    std::vector<qint64> m_changed; // those that actually gained (lost) the tag
    QString m_tag;
    Action m_action;
};

class SetSplitsCommand : public StoreCommand {
public:
    SetSplitsCommand(DatasetSession* session, qint64 datasetId, std::vector<std::pair<qint64, Split>> splits,
                     const QString& text);
    void redo() override;
    void undo() override;

private:
    std::vector<std::pair<qint64, Split>> m_splits;
    std::vector<std::pair<qint64, Split>> m_previous;
};

// New texts for many examples at once (PII masking).
class ReplaceTextsCommand : public StoreCommand {
public:
    ReplaceTextsCommand(DatasetSession* session, qint64 datasetId, std::vector<ExampleTextChange> changes,
                        const QString& text);
    void redo() override;
    void undo() override;

private:
    std::vector<ExampleTextChange> m_changes;
    std::vector<ExampleTextChange> m_previous;
};

// Validation flags (the bits of `mask`), before and after.
class SetFlagsCommand : public StoreCommand {
public:
    SetFlagsCommand(DatasetSession* session, qint64 datasetId, std::vector<std::pair<qint64, int>> after,
                    std::vector<std::pair<qint64, int>> before, int mask, const QString& text);
    void redo() override;
    void undo() override;

private:
    void apply(const std::vector<std::pair<qint64, int>>& flags);
    std::vector<std::pair<qint64, int>> m_after, m_before;
    int m_mask;
};

// A dataset's name or description.
class DatasetPropertyCommand : public StoreCommand {
public:
    enum class Property { Name, Description };
    DatasetPropertyCommand(DatasetSession* session, qint64 datasetId, Property property, const QString& before,
                           const QString& after);
    void redo() override;
    void undo() override;

private:
    void apply(const QString& value);
    Property m_property;
    QString m_before, m_after;
};

} // namespace ft::ui
