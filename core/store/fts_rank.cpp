#include "store/fts_rank.h"

#include <sqlite3.h>

#include <cmath>
#include <vector>

#include <QSqlDriver>
#include <QVariant>

#include "common/error.h"

namespace ft {

namespace {

constexpr double kK1 = 1.2;

// Per query (FTS5 auxiliary data): each phrase's inverse document frequency.
struct QueryWeights {
    std::vector<double> idf;
};

int countRow(const Fts5ExtensionApi*, Fts5Context*, void* count)
{
    ++*static_cast<sqlite3_int64*>(count);
    return SQLITE_OK;
}

QueryWeights* weightsOf(const Fts5ExtensionApi* api, Fts5Context* fts, int* error)
{
    if (auto* cached = static_cast<QueryWeights*>(api->xGetAuxdata(fts, 0)))
        return cached;
    auto* weights = new QueryWeights;
    sqlite3_int64 rows = 0;
    *error = api->xRowCount(fts, &rows);
    const int phrases = api->xPhraseCount(fts);
    for (int p = 0; p < phrases && *error == SQLITE_OK; ++p) {
        sqlite3_int64 hits = 0;
        *error = api->xQueryPhrase(fts, p, &hits, countRow);
        // BM25's idf, kept positive for words in more than half the rows (as FTS5's bm25 does).
        const double idf = std::log((static_cast<double>(rows - hits) + 0.5) / (static_cast<double>(hits) + 0.5));
        weights->idf.push_back(idf > 1e-6 ? idf : 1e-6);
    }
    if (*error != SQLITE_OK) {
        delete weights;
        return nullptr;
    }
    *error = api->xSetAuxdata(fts, weights, [](void* p) { delete static_cast<QueryWeights*>(p); });
    return *error == SQLITE_OK ? weights : nullptr;
}

void exampleRank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context, int, sqlite3_value**)
{
    int error = SQLITE_OK;
    const QueryWeights* weights = weightsOf(api, fts, &error);
    int instances = 0;
    if (error == SQLITE_OK)
        error = api->xInstCount(fts, &instances);
    if (error != SQLITE_OK) {
        sqlite3_result_error_code(context, error);
        return;
    }
    thread_local std::vector<int> counts; // term count of each phrase in this row
    counts.assign(weights->idf.size(), 0);
    for (int i = 0; i < instances; ++i) {
        int phrase = 0, column = 0, offset = 0;
        if (api->xInst(fts, i, &phrase, &column, &offset) == SQLITE_OK && phrase >= 0 &&
            phrase < static_cast<int>(counts.size()))
            ++counts[static_cast<size_t>(phrase)];
    }
    double score = 0.0;
    for (size_t p = 0; p < counts.size(); ++p) {
        const double tf = counts[p];
        score += weights->idf[p] * tf * (kK1 + 1.0) / (tf + kK1);
    }
    sqlite3_result_double(context, -score);
}

} // namespace

void registerExampleRank(QSqlDatabase db)
{
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        throw Error(QStringLiteral("the workspace database is not an SQLite connection"));
    sqlite3* sqlite = *static_cast<sqlite3* const*>(handle.constData());
    fts5_api* api = nullptr;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(sqlite, "SELECT fts5(?1)", -1, &statement, nullptr) == SQLITE_OK) {
        sqlite3_bind_pointer(statement, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
        sqlite3_step(statement);
    }
    sqlite3_finalize(statement);
    if (!api || api->iVersion < 2 ||
        api->xCreateFunction(api, kExampleRankFunction, nullptr, exampleRank, nullptr) != SQLITE_OK)
        throw Error(QStringLiteral("%1: this SQLite has no full-text search (FTS5), which the workspace needs")
                        .arg(db.databaseName()));
}

} // namespace ft
