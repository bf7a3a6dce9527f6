#include "store/example_store.h"

#include "store/sqlite_statement.h"

#include <map>
#include <set>
#include <unordered_map>

#include <QSqlError>
#include <QVariantList>

#include "common/error.h"
#include "store/database.h"
#include "store/dataset_store.h"
#include "store/fts_rank.h"
#include "store/schema.h"
#include "store/store_sql.h"

namespace ft {

using namespace store;

namespace {

// Positions of new examples are this far apart, so that a copy can go between two of them without
// renumbering the rest of the dataset.
constexpr qint64 kPositionGap = 1024;

const char* const kColumns = "e.id, e.dataset_id, e.position, e.system, e.instruction, e.input, e.response, e.turns, "
                             "e.tags, e.notes, e.split, e.source, e.flags, e.created, e.modified, e.rejected";

StoredExample readExample(const QSqlQuery& query)
{
    StoredExample example;
    example.id = query.value(0).toLongLong();
    example.datasetId = query.value(1).toLongLong();
    example.position = query.value(2).toLongLong();
    example.record.system = query.value(3).toString();
    example.record.instruction = query.value(4).toString();
    example.record.input = query.value(5).toString();
    example.record.response = query.value(6).toString();
    turnsFromSql(query.value(7), &example.record);
    example.tags = tagsFromSql(query.value(8).toString());
    example.notes = query.value(9).toString();
    example.split = splitFromSql(query.value(10).toString());
    example.source = query.value(11).toString();
    example.flags = query.value(12).toInt();
    example.created = query.value(13).toLongLong();
    example.modified = query.value(14).toLongLong();
    example.record.rejected = query.value(15).toString();
    return example;
}

QStringList normalizedTags(const QStringList& tags)
{
    QStringList result;
    for (const QString& tag : tags) {
        const QString normalized = normalizeTag(tag);
        if (!result.contains(normalized))
            result << normalized;
    }
    return result;
}

// FROM and WHERE of a filtered selection of one dataset, with its bound values in order.
struct Selection {
    QString from = QStringLiteral("examples e");
    QStringList where;
    QVariantList binds; // FROM's first, then WHERE's
    bool fullText = false;
    bool rankedFirst = false; // rows come out of FROM in relevance order already (see selectExamples)

    QString sql(const QString& columns) const
    {
        return QStringLiteral("SELECT %1 FROM %2 WHERE %3").arg(columns, from, where.join(QStringLiteral(" AND ")));
    }
};

// The full-text matches ranked inside the index (cheap: see fts_rank.h), as a subquery whose inner
// LIMIT keeps SQLite from flattening it into the join: it runs as a co-routine that yields rows in
// its order, and an outer loop without ORDER BY keeps that order, looking up examples only until it
// has what it needs (an outer ORDER BY would look up every match first). Ties go by id.
// tst_example_store checks the order.
QString rankedMatches(bool descending)
{
    const QString direction = descending ? QStringLiteral(" DESC") : QString();
    return QStringLiteral("(SELECT rowid AS id, %1(examples_fts) AS score FROM examples_fts WHERE examples_fts MATCH ? "
                          "ORDER BY score%2, rowid%2 LIMIT -1) r")
        .arg(QLatin1String(kExampleRankFunction), direction);
}

// `sort`: only for a relevance order of a full-text search, which is then produced by FROM.
Selection selectExamples(qint64 datasetId, const ExampleFilter& filter, const ExampleSort* sort = nullptr)
{
    Selection s;
    const QString query = filter.search.trimmed().isEmpty() ? QString() : ftsQueryFromText(filter.search);
    if (!filter.search.trimmed().isEmpty() && !query.isEmpty()) {
        s.fullText = true;
        if (sort && sort->column == ExampleColumn::Relevance) {
            s.from = rankedMatches(sort->descending) + QStringLiteral(" CROSS JOIN examples e ON e.id = r.id");
            s.binds << query;
            s.rankedFirst = true;
        } else {
            // CROSS JOIN makes the full-text match the outer loop: SQLite would otherwise walk the
            // dataset's rows and evaluate the match once per row.
            s.from = QStringLiteral("examples_fts CROSS JOIN examples e ON e.id = examples_fts.rowid");
            s.where << QStringLiteral("examples_fts MATCH ?");
            s.binds << query;
        }
    }
    if (datasetId != 0) {
        s.where << QStringLiteral("e.dataset_id = ?");
        s.binds << datasetId;
    }
    if (!filter.search.trimmed().isEmpty() && query.isEmpty())
        s.where << QStringLiteral("0"); // only punctuation: nothing can match
    for (const QString& tag : filter.tags) {
        s.where << QStringLiteral("instr(e.tags, ?) > 0");
        s.binds << QLatin1Char(',') + normalizeTag(tag) + QLatin1Char(',');
    }
    if (filter.split) {
        s.where << QStringLiteral("e.split = ?");
        s.binds << splitToSql(*filter.split);
    }
    if (filter.flagsAny != 0) {
        s.where << QStringLiteral("(e.flags & ?) != 0");
        s.binds << filter.flagsAny;
    }
    if (filter.flagsNone != 0) {
        s.where << QStringLiteral("(e.flags & ?) = 0");
        s.binds << filter.flagsNone;
    }
    if (filter.multiTurn)
        s.where << (*filter.multiTurn ? QStringLiteral("e.turns IS NOT NULL") : QStringLiteral("e.turns IS NULL"));
    if (s.where.isEmpty())
        s.where << QStringLiteral("1");
    return s;
}

QString orderBy(const ExampleSort& sort, const Selection& selection)
{
    if (selection.rankedFirst)
        return QString(); // FROM yields the relevance order
    const bool fullText = selection.fullText;
    QString expression;
    switch (sort.column) {
    case ExampleColumn::Position:
        expression = QStringLiteral("e.position");
        break;
    case ExampleColumn::Id:
        expression = QStringLiteral("e.id");
        break;
    case ExampleColumn::System:
        expression = QStringLiteral("e.system COLLATE NOCASE");
        break;
    case ExampleColumn::Instruction:
        expression = QStringLiteral("e.instruction COLLATE NOCASE");
        break;
    case ExampleColumn::Input:
        expression = QStringLiteral("e.input COLLATE NOCASE");
        break;
    case ExampleColumn::Response:
        expression = QStringLiteral("e.response COLLATE NOCASE");
        break;
    case ExampleColumn::Tags:
        expression = QStringLiteral("e.tags COLLATE NOCASE");
        break;
    case ExampleColumn::Notes:
        expression = QStringLiteral("e.notes COLLATE NOCASE");
        break;
    case ExampleColumn::Split:
        expression = QStringLiteral("CASE e.split WHEN 'train' THEN 0 WHEN 'val' THEN 1 ELSE 2 END");
        break;
    case ExampleColumn::Source:
        expression = QStringLiteral("e.source");
        break;
    case ExampleColumn::Flags:
        expression = QStringLiteral("e.flags");
        break;
    case ExampleColumn::Created:
        expression = QStringLiteral("e.created");
        break;
    case ExampleColumn::Modified:
        expression = QStringLiteral("e.modified");
        break;
    case ExampleColumn::Length:
        expression = QStringLiteral("(length(e.system) + length(e.instruction) + length(e.input) + length(e.response) "
                                    "+ coalesce(length(e.turns), 0))");
        break;
    case ExampleColumn::Relevance:
        expression = fullText ? QStringLiteral("%1(examples_fts)").arg(QLatin1String(kExampleRankFunction))
                              : QStringLiteral("e.position");
        break;
    }
    const QString direction = sort.descending ? QStringLiteral(" DESC") : QString();
    // Ties are broken by position (then id), so that pages never overlap. By position alone the
    // order is exactly the (dataset_id, position) index's, which SQLite then reads without sorting.
    if (expression == QLatin1String("e.position"))
        return QStringLiteral(" ORDER BY e.position%1, e.id%1").arg(direction);
    return QStringLiteral(" ORDER BY %1%2, e.position%2, e.id%2").arg(expression, direction);
}

void bindAll(QSqlQuery& query, const QVariantList& values)
{
    for (const QVariant& value : values)
        query.addBindValue(value);
}

[[noreturn]] void throwMissing(qint64 id) { throw Error(QStringLiteral("example %1 does not exist").arg(id)); }

// Binds the text fields of a record: system, instruction, input, response, turns, rejected.
void bindTexts(QSqlQuery& query, const ExampleRecord& record)
{
    query.addBindValue(text(record.system));
    query.addBindValue(text(record.isMultiTurn() ? QString() : record.instruction));
    query.addBindValue(text(record.isMultiTurn() ? QString() : record.input));
    query.addBindValue(text(record.isMultiTurn() ? QString() : record.response));
    query.addBindValue(turnsToSql(record));
    query.addBindValue(text(record.isMultiTurn() ? QString() : record.rejected));
}

} // namespace

QString exampleFlagNames(int flags)
{
    QStringList names;
    const std::pair<int, const char*> all[] = {{FlagDuplicate, "duplicate"},
                                               {FlagTooLong, "too-long"},
                                               {FlagEmpty, "empty"},
                                               {FlagPii, "pii"},
                                               {FlagControlCharacters, "control-characters"}};
    for (const auto& [flag, name] : all) {
        if (flags & flag)
            names << QLatin1String(name);
    }
    return names.join(QLatin1Char(','));
}

int exampleFlagFromName(const QString& name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("duplicate"))
        return FlagDuplicate;
    if (n == QLatin1String("too-long"))
        return FlagTooLong;
    if (n == QLatin1String("empty"))
        return FlagEmpty;
    if (n == QLatin1String("pii"))
        return FlagPii;
    if (n == QLatin1String("control-characters"))
        return FlagControlCharacters;
    return 0;
}

std::optional<ExampleColumn> exampleColumnFromName(const QString& name)
{
    static const std::unordered_map<QString, ExampleColumn> columns = {
        {QStringLiteral("position"), ExampleColumn::Position},
        {QStringLiteral("id"), ExampleColumn::Id},
        {QStringLiteral("system"), ExampleColumn::System},
        {QStringLiteral("instruction"), ExampleColumn::Instruction},
        {QStringLiteral("input"), ExampleColumn::Input},
        {QStringLiteral("response"), ExampleColumn::Response},
        {QStringLiteral("tags"), ExampleColumn::Tags},
        {QStringLiteral("notes"), ExampleColumn::Notes},
        {QStringLiteral("split"), ExampleColumn::Split},
        {QStringLiteral("source"), ExampleColumn::Source},
        {QStringLiteral("flags"), ExampleColumn::Flags},
        {QStringLiteral("created"), ExampleColumn::Created},
        {QStringLiteral("modified"), ExampleColumn::Modified},
        {QStringLiteral("length"), ExampleColumn::Length},
        {QStringLiteral("relevance"), ExampleColumn::Relevance},
    };
    const auto it = columns.find(name.trimmed().toLower());
    if (it == columns.end())
        return std::nullopt;
    return it->second;
}

ExampleStore::ExampleStore(QSqlDatabase db)
    : m_db(db)
{
}

std::vector<StoredExample> ExampleStore::examples(qint64 datasetId, const ExampleFilter& filter,
                                                  const ExampleSort& sort, qint64 offset, qint64 limit) const
{
    const Selection s = selectExamples(datasetId, filter, &sort);
    if (limit < 0 && offset <= 0) { // everything (an export, a snapshot): one pass
        QSqlQuery query = prepareSql(m_db, s.sql(QLatin1String(kColumns)) + orderBy(sort, s));
        query.setForwardOnly(true);
        bindAll(query, s.binds);
        execPrepared(query);
        std::vector<StoredExample> result;
        while (query.next())
            result.push_back(readExample(query));
        return result;
    }
    // A page: its ids first, then its rows by id: skipping to a deep offset then walks an index (by
    // position: the covering (dataset_id, position) index), and a sort moves only ids and keys
    // through the sorter, not every row's text.
    ReadSnapshot consistent(m_db);
    QSqlQuery page =
        prepareSql(m_db, s.sql(QStringLiteral("e.id")) + orderBy(sort, s) + QStringLiteral(" LIMIT ? OFFSET ?"));
    page.setForwardOnly(true);
    bindAll(page, s.binds);
    page.addBindValue(limit < 0 ? qint64(-1) : limit);
    page.addBindValue(std::max<qint64>(0, offset));
    execPrepared(page);
    std::vector<qint64> ids;
    while (page.next())
        ids.push_back(page.value(0).toLongLong());
    page.finish();
    return examplesById(ids);
}

qint64 ExampleStore::count(qint64 datasetId, const ExampleFilter& filter) const
{
    const Selection s = selectExamples(datasetId, filter);
    QSqlQuery query = prepareSql(m_db, s.sql(QStringLiteral("count(*)")));
    bindAll(query, s.binds);
    execPrepared(query);
    return query.next() ? query.value(0).toLongLong() : 0;
}

std::vector<qint64> ExampleStore::ids(qint64 datasetId, const ExampleFilter& filter, const ExampleSort& sort) const
{
    const Selection s = selectExamples(datasetId, filter, &sort);
    QSqlQuery query = prepareSql(m_db, s.sql(QStringLiteral("e.id")) + orderBy(sort, s));
    query.setForwardOnly(true);
    bindAll(query, s.binds);
    execPrepared(query);
    std::vector<qint64> result;
    while (query.next())
        result.push_back(query.value(0).toLongLong());
    return result;
}

std::vector<qint64> ExampleStore::search(qint64 datasetId, const QString& text, qint64 limit, bool rawFts5Syntax) const
{
    const QString match = rawFts5Syntax ? text : ftsQueryFromText(text);
    if (match.trimmed().isEmpty())
        return {};
    // Ranked in the index first, then looked up for the dataset only until `limit` are found.
    const QString sql =
        datasetId != 0
            ? QStringLiteral("SELECT r.id FROM %1 CROSS JOIN examples e ON e.id = r.id WHERE e.dataset_id = ? LIMIT ?")
                  .arg(rankedMatches(false))
            : QStringLiteral("SELECT r.id FROM %1 LIMIT ?").arg(rankedMatches(false));
    QSqlQuery query = prepareSql(m_db, sql);
    query.setForwardOnly(true);
    query.addBindValue(match);
    if (datasetId != 0)
        query.addBindValue(datasetId);
    query.addBindValue(limit < 0 ? qint64(-1) : limit);
    if (!query.exec())
        throw Error(QStringLiteral("search \"%1\": %2").arg(text, query.lastError().databaseText()));
    std::vector<qint64> result;
    while (query.next())
        result.push_back(query.value(0).toLongLong());
    return result;
}

std::optional<StoredExample> ExampleStore::example(qint64 id) const
{
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT %1 FROM examples e WHERE e.id = ?").arg(QLatin1String(kColumns)));
    query.addBindValue(id);
    execPrepared(query);
    if (!query.next())
        return std::nullopt;
    return readExample(query);
}

std::vector<StoredExample> ExampleStore::examplesById(const std::vector<qint64>& ids) const
{
    QSqlQuery query =
        prepareSql(m_db, QStringLiteral("SELECT %1 FROM examples e WHERE e.id = ?").arg(QLatin1String(kColumns)));
    std::vector<StoredExample> result;
    result.reserve(ids.size());
    for (const qint64 id : ids) {
        query.bindValue(0, id);
        execPrepared(query);
        if (query.next())
            result.push_back(readExample(query));
        query.finish();
    }
    return result;
}

std::vector<std::pair<QString, qint64>> ExampleStore::tagCounts(qint64 datasetId) const
{
    QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT tags, count(*) FROM examples WHERE dataset_id = ? AND "
                                                      "tags != '' GROUP BY tags"));
    query.setForwardOnly(true);
    query.addBindValue(datasetId);
    execPrepared(query);
    std::map<QString, qint64> counts;
    while (query.next()) {
        for (const QString& tag : tagsFromSql(query.value(0).toString()))
            counts[tag] += query.value(1).toLongLong();
    }
    return {counts.begin(), counts.end()};
}

qint64 ExampleStore::add(qint64 datasetId, const StoredExample& example)
{
    return inTransaction(m_db, [&] {
        ExampleInserter inserter(m_db, datasetId);
        const qint64 id =
            inserter.add(example.record, normalizedTags(example.tags), example.source, example.split, example.notes);
        if (example.flags != 0)
            setFlags({{id, example.flags}}, ~0);
        inserter.finish();
        return id;
    });
}

qint64 ExampleStore::duplicate(qint64 id)
{
    return inTransaction(m_db, [&] {
        const auto original = example(id);
        if (!original)
            throwMissing(id);
        // Between the original and the next example: the middle of the gap when there is one (new
        // examples are spaced kPositionGap apart), else the rest of the dataset moves up first.
        QSqlQuery next = prepareSql(
            m_db, QStringLiteral("SELECT min(position) FROM examples WHERE dataset_id = ? AND position > ?"));
        next.addBindValue(original->datasetId);
        next.addBindValue(original->position);
        execPrepared(next);
        const QVariant following = next.next() ? next.value(0) : QVariant();
        next.finish();
        qint64 position = original->position + kPositionGap;
        if (!following.isNull()) {
            if (following.toLongLong() - original->position < 2) {
                QSqlQuery shift =
                    prepareSql(m_db, QStringLiteral("UPDATE examples SET position = position + ? WHERE dataset_id = ? "
                                                    "AND position > ?"));
                shift.addBindValue(kPositionGap);
                shift.addBindValue(original->datasetId);
                shift.addBindValue(original->position);
                execPrepared(shift);
                position = original->position + kPositionGap / 2;
            } else {
                position = original->position + (following.toLongLong() - original->position) / 2;
            }
        }
        QSqlQuery insert = prepareSql(
            m_db,
            QStringLiteral("INSERT INTO examples (dataset_id, position, system, instruction, input, response, turns, "
                           "rejected, tags, notes, split, "
                           "source, flags, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"));
        const qint64 now = nowMs();
        insert.addBindValue(original->datasetId);
        insert.addBindValue(position);
        bindTexts(insert, original->record);
        insert.addBindValue(tagsToSql(original->tags));
        insert.addBindValue(text(original->notes));
        insert.addBindValue(splitToSql(original->split));
        insert.addBindValue(text(original->source));
        insert.addBindValue(now);
        insert.addBindValue(now);
        execPrepared(insert);
        touchDataset(m_db, original->datasetId);
        return insert.lastInsertId().toLongLong();
    });
}

void ExampleStore::update(const StoredExample& example)
{
    inTransaction(m_db, [&] {
        const qint64 datasetId = datasetOf(example.id);
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE examples SET system = ?, instruction = ?, input = ?, "
                                                          "response = ?, turns = ?, rejected = ?, tags = ?, notes = ?, "
                                                          "split = ?, flags = ?, modified = ? WHERE id = ?"));
        bindTexts(query, example.record);
        query.addBindValue(tagsToSql(normalizedTags(example.tags)));
        query.addBindValue(text(example.notes));
        query.addBindValue(splitToSql(example.split));
        query.addBindValue(example.flags);
        query.addBindValue(nowMs());
        query.addBindValue(example.id);
        execPrepared(query);
        touchDataset(m_db, datasetId);
    });
}

std::vector<StoredExample> ExampleStore::remove(const std::vector<qint64>& ids)
{
    return inTransaction(m_db, [&] {
        std::vector<StoredExample> removed = examplesById(ids);
        std::set<qint64> datasets;
        QSqlQuery query = prepareSql(m_db, QStringLiteral("DELETE FROM examples WHERE id = ?"));
        for (const qint64 id : ids) {
            query.bindValue(0, id);
            execPrepared(query);
            if (query.numRowsAffected() != 1)
                throwMissing(id);
        }
        for (const StoredExample& example : removed)
            datasets.insert(example.datasetId);
        for (const qint64 datasetId : datasets)
            touchDataset(m_db, datasetId);
        return removed;
    });
}

void ExampleStore::restore(const std::vector<StoredExample>& examples)
{
    inTransaction(m_db, [&] {
        QSqlQuery insert = prepareSql(
            m_db, QStringLiteral(
                      "INSERT INTO examples (id, dataset_id, position, system, instruction, input, response, turns, "
                      "rejected, tags, notes, "
                      "split, source, flags, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                      "?)"));
        std::set<qint64> datasets;
        for (const StoredExample& example : examples) {
            insert.addBindValue(example.id);
            insert.addBindValue(example.datasetId);
            insert.addBindValue(example.position);
            bindTexts(insert, example.record);
            insert.addBindValue(tagsToSql(example.tags));
            insert.addBindValue(text(example.notes));
            insert.addBindValue(splitToSql(example.split));
            insert.addBindValue(text(example.source));
            insert.addBindValue(example.flags);
            insert.addBindValue(example.created);
            insert.addBindValue(nowMs());
            execPrepared(insert);
            datasets.insert(example.datasetId);
        }
        for (const qint64 datasetId : datasets)
            touchDataset(m_db, datasetId);
    });
}

std::vector<qint64> ExampleStore::addTag(const std::vector<qint64>& ids, const QString& tag)
{
    const QString normalized = normalizeTag(tag);
    const QString marker = QLatin1Char(',') + normalized + QLatin1Char(',');
    return inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(
            m_db,
            QStringLiteral("UPDATE examples SET tags = CASE WHEN tags = '' THEN ? ELSE tags || ? END, modified = ? "
                           "WHERE id = ? AND instr(tags, ?) = 0"));
        std::set<qint64> datasets;
        std::vector<qint64> changed;
        const qint64 now = nowMs();
        for (const qint64 id : ids) {
            datasets.insert(datasetOf(id));
            query.bindValue(0, marker);
            query.bindValue(1, normalized + QLatin1Char(','));
            query.bindValue(2, now);
            query.bindValue(3, id);
            query.bindValue(4, marker);
            execPrepared(query);
            if (query.numRowsAffected() == 1)
                changed.push_back(id);
        }
        for (const qint64 datasetId : datasets)
            touchDataset(m_db, datasetId);
        return changed;
    });
}

std::vector<qint64> ExampleStore::removeTag(const std::vector<qint64>& ids, const QString& tag)
{
    const QString marker = QLatin1Char(',') + normalizeTag(tag) + QLatin1Char(',');
    return inTransaction(m_db, [&] {
        QSqlQuery query = prepareSql(m_db, QStringLiteral("UPDATE examples SET tags = CASE WHEN replace(tags, ?, ',') "
                                                          "= ',' THEN '' ELSE replace(tags, ?, ',') END, "
                                                          "modified = ? WHERE id = ? AND instr(tags, ?) > 0"));
        std::set<qint64> datasets;
        std::vector<qint64> changed;
        const qint64 now = nowMs();
        for (const qint64 id : ids) {
            datasets.insert(datasetOf(id));
            query.bindValue(0, marker);
            query.bindValue(1, marker);
            query.bindValue(2, now);
            query.bindValue(3, id);
            query.bindValue(4, marker);
            execPrepared(query);
            if (query.numRowsAffected() == 1)
                changed.push_back(id);
        }
        for (const qint64 datasetId : datasets)
            touchDataset(m_db, datasetId);
        return changed;
    });
}

std::vector<std::pair<qint64, Split>> ExampleStore::setSplit(const std::vector<qint64>& ids, Split split)
{
    std::vector<std::pair<qint64, Split>> splits;
    splits.reserve(ids.size());
    for (const qint64 id : ids)
        splits.emplace_back(id, split);
    return setSplits(splits);
}

std::vector<std::pair<qint64, Split>> ExampleStore::setSplits(const std::vector<std::pair<qint64, Split>>& splits)
{
    return inTransaction(m_db, [&] {
        QSqlQuery read = prepareSql(m_db, QStringLiteral("SELECT dataset_id, split FROM examples WHERE id = ?"));
        QSqlQuery write = prepareSql(m_db, QStringLiteral("UPDATE examples SET split = ?, modified = ? WHERE id = ?"));
        std::set<qint64> datasets;
        std::vector<std::pair<qint64, Split>> previous;
        previous.reserve(splits.size());
        const qint64 now = nowMs();
        for (const auto& [id, split] : splits) {
            read.bindValue(0, id);
            execPrepared(read);
            if (!read.next())
                throwMissing(id);
            const qint64 datasetId = read.value(0).toLongLong();
            const Split old = splitFromSql(read.value(1).toString());
            read.finish();
            previous.emplace_back(id, old);
            if (old == split)
                continue; // an example that stays put changes nothing, not even the version
            datasets.insert(datasetId);
            write.bindValue(0, splitToSql(split));
            write.bindValue(1, now);
            write.bindValue(2, id);
            execPrepared(write);
        }
        for (const qint64 datasetId : datasets)
            touchDataset(m_db, datasetId);
        return previous;
    });
}

std::vector<ExampleTextChange> ExampleStore::replaceTexts(const std::vector<ExampleTextChange>& changes)
{
    return inTransaction(m_db, [&] {
        std::vector<qint64> ids;
        ids.reserve(changes.size());
        for (const ExampleTextChange& change : changes)
            ids.push_back(change.id);
        const std::vector<StoredExample> before = examplesById(ids);
        std::unordered_map<qint64, const StoredExample*> byId;
        for (const StoredExample& example : before)
            byId[example.id] = &example;

        QSqlQuery write =
            prepareSql(m_db, QStringLiteral("UPDATE examples SET system = ?, instruction = ?, input = ?, "
                                            "response = ?, turns = ?, rejected = ?, modified = ? WHERE id = ?"));
        std::set<qint64> datasets;
        std::vector<ExampleTextChange> previous;
        previous.reserve(changes.size());
        const qint64 now = nowMs();
        for (const ExampleTextChange& change : changes) {
            const auto it = byId.find(change.id);
            if (it == byId.end())
                throwMissing(change.id);
            previous.push_back({change.id, it->second->record});
            datasets.insert(it->second->datasetId);
            bindTexts(write, change.record);
            write.addBindValue(now);
            write.addBindValue(change.id);
            execPrepared(write);
        }
        for (const qint64 datasetId : datasets)
            touchDataset(m_db, datasetId);
        return previous;
    });
}

void ExampleStore::setFlags(const std::vector<std::pair<qint64, int>>& flags, int mask)
{
    inTransaction(m_db, [&] {
        QSqlQuery query =
            prepareSql(m_db, QStringLiteral("UPDATE examples SET flags = (flags & ~?) | (? & ?) WHERE id = ?"));
        for (const auto& [id, value] : flags) {
            query.bindValue(0, mask);
            query.bindValue(1, value);
            query.bindValue(2, mask);
            query.bindValue(3, id);
            execPrepared(query);
            if (query.numRowsAffected() != 1)
                throwMissing(id);
        }
    });
}

qint64 ExampleStore::datasetOf(qint64 id) const
{
    QSqlQuery query = prepareSql(m_db, QStringLiteral("SELECT dataset_id FROM examples WHERE id = ?"));
    query.addBindValue(id);
    execPrepared(query);
    if (!query.next())
        throwMissing(id);
    return query.value(0).toLongLong();
}

ExampleInserter::ExampleInserter(QSqlDatabase db, qint64 datasetId)
    : m_db(db)
    , m_datasetId(datasetId)
    , m_transaction(std::make_unique<Transaction>(db))
    , m_now(nowMs())
{
    QSqlQuery last =
        prepareSql(db, QStringLiteral("SELECT coalesce(max(position), 0), (SELECT coalesce(max(id), 0) FROM examples) "
                                      "FROM examples WHERE dataset_id = ?"));
    last.addBindValue(datasetId);
    execPrepared(last);
    m_nextPosition = last.next() ? last.value(0).toLongLong() + kPositionGap : kPositionGap;
    m_lastIdBefore = last.value(1).toLongLong();
    last.finish();
    QSqlQuery defer =
        prepareSql(db, QStringLiteral("INSERT OR IGNORE INTO examples_fts_deferred (dataset_id) VALUES (?)"));
    defer.addBindValue(datasetId);
    execPrepared(defer);
    m_insert = std::make_unique<SqliteStatement>(
        db, "INSERT INTO examples (dataset_id, position, system, instruction, input, response, turns, tags, "
            "notes, split, source, flags, created, modified, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, "
            "?, ?)");
}

ExampleInserter::~ExampleInserter() = default; // an unfinished insert rolls back with m_transaction

qint64 ExampleInserter::add(const ExampleRecord& record, const QStringList& tags, const QString& source, Split split,
                            const QString& notes)
{
    SqliteStatement& q = *m_insert;
    q.bind(1, m_datasetId);
    q.bind(2, m_nextPosition);
    m_nextPosition += kPositionGap;
    q.bind(3, record.system);
    q.bind(4, record.isMultiTurn() ? QString() : record.instruction);
    q.bind(5, record.isMultiTurn() ? QString() : record.input);
    q.bind(6, record.isMultiTurn() ? QString() : record.response);
    const QVariant turns = turnsToSql(record);
    if (turns.isNull())
        q.bindNull(7);
    else
        q.bind(7, turns.toString());
    q.bind(8, tagsToSql(tags));
    q.bind(9, notes);
    q.bind(10, splitToSql(split));
    q.bind(11, source);
    q.bind(12, m_now);
    q.bind(13, m_now);
    q.bind(14, record.isMultiTurn() ? QString() : record.rejected);
    q.execute();
    ++m_added;
    return q.lastInsertId();
}

void ExampleInserter::finish()
{
    m_insert.reset();
    // The new rows are the ids after the last one before: a range of the primary key ("+" keeps
    // SQLite from walking the whole dataset through its dataset_id index instead).
    QSqlQuery index = prepareSql(m_db, ftsIndexStatement(QStringLiteral("id > ? AND +dataset_id = ?")));
    index.addBindValue(m_lastIdBefore);
    index.addBindValue(m_datasetId);
    execPrepared(index);
    QSqlQuery undefer = prepareSql(m_db, QStringLiteral("DELETE FROM examples_fts_deferred WHERE dataset_id = ?"));
    undefer.addBindValue(m_datasetId);
    execPrepared(undefer);
    if (m_added > 0)
        touchDataset(m_db, m_datasetId);
    m_transaction->commit();
}

} // namespace ft
