#pragma once
// example_rank(examples_fts): the relevance that search orders by, registered on every workspace
// connection. BM25 (k1 = 1.2) summed over the query's phrases, each weighted by its inverse document
// frequency, with the term counts of all columns together, but without BM25's document-length
// normalisation (b = 0): FTS5's bm25() reads every matching row's length from its docsize table, one
// B-tree lookup per row, which made a word found in a third of 100,000 examples take 50-150 ms to
// rank; without it the same query ranks in about 7 ms. Examples are short and of similar length, so
// the length term changed little. Smaller is better (negated, as bm25() and FTS5's rank are).

#include <QSqlDatabase>

namespace ft {

inline constexpr const char* kExampleRankFunction = "example_rank";

// Registers example_rank on this connection; throws ft::Error if SQLite lacks FTS5.
void registerExampleRank(QSqlDatabase db);

} // namespace ft
