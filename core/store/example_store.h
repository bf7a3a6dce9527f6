#pragma once
// The examples of the workspace's datasets: reading pages of them with filtering and sorting done in
// SQL (what the GUI's lazy table model calls), full-text search, editing, and bulk operations that
// each run as one transaction (all of it happens, or none of it). Every change bumps the dataset's
// version. Operations that change data return what was there before, so that the GUI can undo them.

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include "data/example_record.h"
#include "data/splits.h"

namespace ft {

class Transaction;
class SqliteStatement;

// Markers set by validation (derived data: setting them does not change the dataset version).
enum ExampleFlag : int {
    FlagDuplicate = 1 << 0,
    FlagTooLong = 1 << 1,
    FlagEmpty = 1 << 2, // empty instruction or response
    FlagPii = 1 << 3,
    FlagControlCharacters = 1 << 4,
};
QString exampleFlagNames(int flags);          // "duplicate,pii"
int exampleFlagFromName(const QString& name); // 0 when unknown

struct StoredExample {
    qint64 id = 0;
    qint64 datasetId = 0;
    qint64 position = 0; // the stable order of the dataset (import order; new rows go last)
    ExampleRecord record;
    QStringList tags;
    QString notes;
    Split split = Split::Train;
    QString source; // where it came from: "file:line", "file#index", "synthetic", "manual"
    int flags = 0;
    qint64 created = 0; // ms since the Unix epoch
    qint64 modified = 0;
};

struct ExampleFilter {
    QString search;   // full-text: every word must occur ("word*" matches a prefix)
    QStringList tags; // every one of these tags
    std::optional<Split> split;
    int flagsAny = 0;  // at least one of these flags (0: no condition)
    int flagsNone = 0; // none of these flags
    std::optional<bool> multiTurn;
};

enum class ExampleColumn {
    Position,
    Id,
    System,
    Instruction,
    Input,
    Response,
    Tags,
    Notes,
    Split,
    Source,
    Flags,
    Created,
    Modified,
    Length,    // characters of system + instruction + input + response
    Relevance, // full-text rank; only with a search (else Position)
};
std::optional<ExampleColumn> exampleColumnFromName(const QString& name); // "instruction", "modified", ...

struct ExampleSort {
    ExampleColumn column = ExampleColumn::Position;
    bool descending = false;
};

struct ExampleTextChange {
    qint64 id = 0;
    ExampleRecord record;
};

class ExampleStore {
public:
    explicit ExampleStore(QSqlDatabase db);

    // One page of a dataset's examples; ties are broken by position, so pages never overlap.
    std::vector<StoredExample> examples(qint64 datasetId, const ExampleFilter& filter = {},
                                        const ExampleSort& sort = {}, qint64 offset = 0, qint64 limit = -1) const;
    qint64 count(qint64 datasetId, const ExampleFilter& filter = {}) const;
    // Every matching id in order (for "select all" followed by a bulk action, or an export).
    std::vector<qint64> ids(qint64 datasetId, const ExampleFilter& filter = {}, const ExampleSort& sort = {}) const;
    // Full-text search, best match first. `datasetId` 0 searches every dataset. Throws ft::Error for
    // a malformed query when `rawFts5Syntax` (the text is then passed to FTS5 as written).
    std::vector<qint64> search(qint64 datasetId, const QString& text, qint64 limit = 100,
                               bool rawFts5Syntax = false) const;
    std::optional<StoredExample> example(qint64 id) const;
    std::vector<StoredExample>
    examplesById(const std::vector<qint64>& ids) const; // in the order given; missing ids skipped
    // Distinct tags of a dataset with how many examples carry each, by tag.
    std::vector<std::pair<QString, qint64>> tagCounts(qint64 datasetId) const;

    // Adds an example at the end of the dataset (`example.id`, `position`, `created` are ignored).
    qint64 add(qint64 datasetId, const StoredExample& example);
    // A copy of an example placed right after it.
    qint64 duplicate(qint64 id);
    // Saves the editable fields (record, tags, notes, split, flags) of `example.id`.
    void update(const StoredExample& example);

    // Bulk operations, one transaction each; an id that does not exist is an error and nothing changes.
    std::vector<StoredExample> remove(const std::vector<qint64>& ids);              // the removed rows
    void restore(const std::vector<StoredExample>& examples);                       // puts removed rows back (ids kept)
    std::vector<qint64> addTag(const std::vector<qint64>& ids, const QString& tag); // ids that gained it
    std::vector<qint64> removeTag(const std::vector<qint64>& ids, const QString& tag);           // ids that lost it
    std::vector<std::pair<qint64, Split>> setSplit(const std::vector<qint64>& ids, Split split); // previous splits
    std::vector<std::pair<qint64, Split>> setSplits(const std::vector<std::pair<qint64, Split>>& splits);
    std::vector<ExampleTextChange> replaceTexts(const std::vector<ExampleTextChange>& changes); // previous texts
    // Sets the bits of `mask` of each example to those given (other bits kept); one transaction.
    void setFlags(const std::vector<std::pair<qint64, int>>& flags, int mask);

private:
    qint64 datasetOf(qint64 id) const; // throws when the example does not exist
    QSqlDatabase m_db;
};

// Adds many examples to one dataset fast: one prepared statement, positions after the last one, and
// the full-text index built in one statement at the end instead of row by row. It runs in its own
// (nested) transaction: finish() indexes, records the change of the dataset and commits; without
// finish() (an error, a cancel) everything it added is rolled back.
class ExampleInserter {
public:
    ExampleInserter(QSqlDatabase db, qint64 datasetId);
    ~ExampleInserter();
    qint64 add(const ExampleRecord& record, const QStringList& tags = {}, const QString& source = {},
               Split split = Split::Train, const QString& notes = {});
    qint64 added() const { return m_added; }
    void finish();

private:
    QSqlDatabase m_db;
    qint64 m_datasetId;
    std::unique_ptr<Transaction> m_transaction;
    std::unique_ptr<SqliteStatement> m_insert;
    qint64 m_nextPosition = 0;
    qint64 m_lastIdBefore = 0;
    qint64 m_now = 0;
    qint64 m_added = 0;
};

} // namespace ft
