// bench_store: how fast the workspace store is. Numbers are reported, never asserted.
//
//   import of ../shared/datasets/gsm8k_alpaca.json (7,473 records) and of a generated 100,000-record
//   JSONL (reading alone, and reading + storing); full-text search latency (median, p95) of 50 varied
//   queries over those 100,000, both the search() call and the GUI's filtered count + first page;
//   paging deep into the dataset; metric rows per second, batched.
//
// Usage: bench_store [--records N] [--shared DIR] [--keep DIR] [--json]

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "common/error.h"
#include "data/dataset_format.h"
#include "store/database.h"
#include "store/dataset_import.h"
#include "store/example_store.h"
#include "store/metric_store.h"
#include "store/run_store.h"
#include "store/workspace.h"

using namespace ft;

namespace {

struct Stats {
    double median = 0;
    double p95 = 0;
    double max = 0;
};

Stats stats(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    Stats s;
    if (values.empty())
        return s;
    s.median = values[values.size() / 2];
    s.p95 = values[std::min(values.size() - 1, static_cast<size_t>(values.size() * 0.95))];
    s.max = values.back();
    return s;
}

double medianOf(std::vector<double> values) { return stats(std::move(values)).median; }

// A vocabulary of pronounceable made-up words; drawn with a Zipf-like law so that some words are in
// most records and others in a handful, as in real text.
class TextGenerator {
public:
    explicit TextGenerator(uint64_t seed)
        : m_random(seed)
    {
        const char* syllables[] = {"ka",  "lo",  "mi",  "ne",   "ru",  "sa",  "te",  "vi",  "do",  "pa",
                                   "zu",  "re",  "tho", "gan",  "bel", "cor", "dun", "fen", "hal", "jor",
                                   "mar", "nil", "ost", "quin", "sil", "tor", "ul",  "wen"};
        std::uniform_int_distribution<int> pick(0, 27);
        std::uniform_int_distribution<int> length(2, 4);
        while (m_words.size() < 20000) {
            QString word;
            for (int n = length(m_random); n > 0; --n)
                word += QLatin1String(syllables[pick(m_random)]);
            m_words.push_back(word);
        }
        std::vector<double> weights;
        for (size_t i = 0; i < m_words.size(); ++i)
            weights.push_back(1.0 / (static_cast<double>(i) + 10.0));
        m_zipf = std::discrete_distribution<size_t>(weights.begin(), weights.end());
    }
    QString word(size_t rank) const { return m_words[rank]; }
    QString sentence(int minWords, int maxWords)
    {
        std::uniform_int_distribution<int> count(minWords, maxWords);
        QStringList words;
        for (int n = count(m_random); n > 0; --n)
            words << m_words[m_zipf(m_random)];
        if (!words.isEmpty())
            words.front()[0] = words.front()[0].toUpper();
        return words.join(QLatin1Char(' ')) + QLatin1Char('.');
    }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_random); }

private:
    std::mt19937_64 m_random;
    std::vector<QString> m_words;
    std::discrete_distribution<size_t> m_zipf;
};

QString generateJsonl(const QString& path, int records, TextGenerator& text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write").arg(path));
    for (int i = 0; i < records; ++i) {
        const QJsonObject object{{QStringLiteral("instruction"), text.sentence(6, 24)},
                                 {QStringLiteral("input"), text.chance(0.3) ? text.sentence(5, 30) : QString()},
                                 {QStringLiteral("output"), text.sentence(15, 90)}};
        file.write(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
    }
    return path;
}

// Reading alone, no database: what the store's share of an import is measured against.
double readOnlySeconds(const QString& path, DatasetFormat format)
{
    ImportOptions options;
    options.format = format;
    QElapsedTimer timer;
    timer.start();
    auto reader = openDatasetReader(path, options);
    ImportedExample example;
    qint64 n = 0;
    while (reader->next(&example))
        ++n;
    return timer.nsecsElapsed() / 1e9;
}

double cpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct ImportTiming {
    double seconds = 0;
    double cpu = 0;
    qint64 records = 0;
    qint64 datasetId = 0;
};

ImportTiming timeImport(const Workspace& workspace, const QString& path, DatasetFormat format, const QString& name)
{
    ImportOptions options;
    options.format = format;
    DatasetImportTarget target;
    target.newName = name;
    QElapsedTimer timer;
    timer.start();
    const double cpu = cpuSeconds();
    const DatasetImportResult result = importDataset(workspace.database(), path, options, target);
    return {timer.nsecsElapsed() / 1e9, cpuSeconds() - cpu, result.imported, result.datasetId};
}

Workspace freshWorkspace(const QString& parent, const QString& name)
{
    WorkspaceOptions options;
    options.seedSampleDataset = false;
    const QString dir = QDir(parent).filePath(name);
    QDir(dir).removeRecursively();
    return Workspace::open(dir, options);
}

QString arg(const QStringList& args, const QString& name, const QString& fallback)
{
    const int at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args[at + 1] : fallback;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int records = arg(args, QStringLiteral("--records"), QStringLiteral("100000")).toInt();
    const QString shared = arg(args, QStringLiteral("--shared"),
                               qEnvironmentVariable("FT_SHARED_DIR", QStringLiteral(FT_DEFAULT_SHARED_DIR)));
    QTemporaryDir temp;
    const QString root =
        args.contains(QStringLiteral("--keep")) ? arg(args, QStringLiteral("--keep"), temp.path()) : temp.path();
    QDir().mkpath(root);
    const QString only =
        arg(args, QStringLiteral("--only"), QString()); // import | search | metrics: stop after that part
    QJsonObject results;
    auto report = [&](const QString& key, double value, const QString& unit, const QString& what) {
        results[key] = value;
        std::printf("%-44s %12.2f %s\n", qPrintable(what), value, qPrintable(unit));
        std::fflush(stdout);
    };

    try {
        // 1. The real file, three times into fresh databases.
        const QString gsm8k = QDir(shared).filePath(QStringLiteral("datasets/gsm8k_alpaca.json"));
        if (QFile::exists(gsm8k)) {
            std::vector<double> reads, imports, cpus;
            for (int run = 0; run < 3; ++run) {
                reads.push_back(readOnlySeconds(gsm8k, DatasetFormat::Alpaca));
                const Workspace ws = freshWorkspace(root, QStringLiteral("gsm8k-%1").arg(run));
                const ImportTiming timing = timeImport(ws, gsm8k, DatasetFormat::Alpaca, QStringLiteral("gsm8k"));
                imports.push_back(timing.seconds);
                cpus.push_back(timing.cpu);
                closeThreadConnection(ws.databasePath());
            }
            report(QStringLiteral("gsm8k_read_s"), medianOf(reads), QStringLiteral("s"),
                   QStringLiteral("gsm8k_alpaca.json: reading only (7,473)"));
            report(QStringLiteral("gsm8k_import_s"), medianOf(imports), QStringLiteral("s"),
                   QStringLiteral("gsm8k_alpaca.json: import (7,473)"));
            report(QStringLiteral("gsm8k_import_cpu_s"), medianOf(cpus), QStringLiteral("s"),
                   QStringLiteral("gsm8k_alpaca.json: import, CPU time"));
        } else {
            std::printf("(%s not found: skipping the gsm8k import)\n", qPrintable(gsm8k));
        }

        // 2. A generated file of `records` records.
        TextGenerator text(20240521);
        const QString generated = generateJsonl(QDir(root).filePath(QStringLiteral("generated.jsonl")), records, text);
        report(QStringLiteral("generated_mb"), QFileInfo(generated).size() / 1e6, QStringLiteral("MB"),
               QStringLiteral("generated JSONL (%1 records)").arg(records));
        report(QStringLiteral("generated_read_s"), readOnlySeconds(generated, DatasetFormat::Alpaca),
               QStringLiteral("s"), QStringLiteral("generated: reading only"));
        const Workspace ws = freshWorkspace(root, QStringLiteral("big"));
        const ImportTiming big = timeImport(ws, generated, DatasetFormat::Alpaca, QStringLiteral("generated"));
        report(QStringLiteral("generated_import_s"), big.seconds, QStringLiteral("s"),
               QStringLiteral("generated: import (%1)").arg(big.records));
        report(QStringLiteral("generated_import_cpu_s"), big.cpu, QStringLiteral("s"),
               QStringLiteral("generated: import, CPU time"));
        report(QStringLiteral("generated_import_records_per_s"), big.records / big.seconds, QStringLiteral("records/s"),
               QStringLiteral("generated: import rate"));

        if (only == QLatin1String("import"))
            return 0;
        // 3. Full-text search over them: 50 queries from frequent to rare words, pairs, prefixes.
        QSqlDatabase db = ws.database();
        ExampleStore examples(db);
        QStringList queries;
        for (int i = 0; i < 15; ++i)
            queries << text.word(static_cast<size_t>(i * 7 + 3)); // frequent
        for (int i = 0; i < 15; ++i)
            queries << text.word(static_cast<size_t>(300 + i * 613)); // medium to rare
        for (int i = 0; i < 10; ++i)
            queries << text.word(static_cast<size_t>(i * 11 + 1)) + QLatin1Char(' ') +
                           text.word(static_cast<size_t>(50 + i * 97)); // two words
        for (int i = 0; i < 10; ++i)
            queries << text.word(static_cast<size_t>(20 + i * 37)).left(4) + QLatin1Char('*'); // prefixes
        const char* const groups[] = {"frequent words", "rarer words", "two words", "prefixes"};
        std::vector<double> searchMs, pageMs, groupSearchMs[4], groupPageMs[4];
        qint64 hits = 0;
        for (int q = 0; q < queries.size(); ++q) {
            const int group = q < 15 ? 0 : q < 30 ? 1 : q < 40 ? 2 : 3;
            QElapsedTimer timer;
            timer.start();
            hits += static_cast<qint64>(examples.search(big.datasetId, queries[q], 100).size());
            const double searchTime = timer.nsecsElapsed() / 1e6;
            ExampleFilter filter;
            filter.search = queries[q];
            timer.restart();
            const qint64 count = examples.count(big.datasetId, filter);
            const auto page = examples.examples(big.datasetId, filter, {}, 0, 100);
            const double pageTime = timer.nsecsElapsed() / 1e6;
            Q_UNUSED(count);
            Q_UNUSED(page);
            searchMs.push_back(searchTime);
            pageMs.push_back(pageTime);
            groupSearchMs[group].push_back(searchTime);
            groupPageMs[group].push_back(pageTime);
        }
        const Stats search = stats(searchMs);
        const Stats page = stats(pageMs);
        report(QStringLiteral("search_median_ms"), search.median, QStringLiteral("ms"),
               QStringLiteral("search, best 100 by rank: median"));
        report(QStringLiteral("search_p95_ms"), search.p95, QStringLiteral("ms"),
               QStringLiteral("search, best 100 by rank: p95"));
        for (int g = 0; g < 4; ++g)
            report(QStringLiteral("search_median_ms_%1").arg(g), medianOf(groupSearchMs[g]), QStringLiteral("ms"),
                   QStringLiteral("  median, %1").arg(QLatin1String(groups[g])));
        report(QStringLiteral("search_page_median_ms"), page.median, QStringLiteral("ms"),
               QStringLiteral("filtered count + first page of 100: median"));
        report(QStringLiteral("search_page_p95_ms"), page.p95, QStringLiteral("ms"),
               QStringLiteral("filtered count + first page of 100: p95"));
        for (int g = 0; g < 4; ++g)
            report(QStringLiteral("search_page_median_ms_%1").arg(g), medianOf(groupPageMs[g]), QStringLiteral("ms"),
                   QStringLiteral("  median, %1").arg(QLatin1String(groups[g])));
        report(QStringLiteral("search_hits"), static_cast<double>(hits), QString(),
               QStringLiteral("(hits over the 50 queries, at most 100 each)"));

        // 4. Paging deep into the dataset (what scrolling the GUI's table costs).
        for (const auto& [name, column] :
             {std::pair<QString, ExampleColumn>{QStringLiteral("position"), ExampleColumn::Position},
              {QStringLiteral("instruction"), ExampleColumn::Instruction}}) {
            std::vector<double> ms;
            for (int i = 0; i < 5; ++i) {
                QElapsedTimer timer;
                timer.start();
                examples.examples(big.datasetId, {}, {column, false}, records / 2, 100);
                ms.push_back(timer.nsecsElapsed() / 1e6);
            }
            report(QStringLiteral("page_middle_%1_ms").arg(name), medianOf(ms), QStringLiteral("ms"),
                   QStringLiteral("page of 100 at the middle, by %1").arg(name));
        }
        {
            QElapsedTimer timer;
            timer.start();
            const auto all = examples.ids(big.datasetId, {}, {ExampleColumn::Instruction, false});
            report(QStringLiteral("ids_by_instruction_ms"), timer.nsecsElapsed() / 1e6, QStringLiteral("ms"),
                   QStringLiteral("every id sorted by instruction (%1)").arg(all.size()));
        }
        QElapsedTimer countTimer;
        countTimer.start();
        examples.count(big.datasetId);
        report(QStringLiteral("count_ms"), countTimer.nsecsElapsed() / 1e6, QStringLiteral("ms"),
               QStringLiteral("count of the whole dataset"));

        // 5. Metric rows, batched as the worker appends them.
        RunStore runs(db);
        const qint64 run = runs.createRun({});
        MetricStore metrics(db);
        for (const int batchSize : {100, 1000}) {
            const int rows = 200000;
            std::vector<MetricPoint> batch;
            const QString names[] = {QStringLiteral("loss"), QStringLiteral("lr"), QStringLiteral("grad_norm"),
                                     QStringLiteral("tokens_per_second")};
            qint64 step = batchSize * 1000000LL;
            double seconds = 0;
            double cpu = 0;
            for (int done = 0; done < rows; done += batchSize) {
                batch.clear();
                for (int i = 0; i < batchSize; i += 4, ++step) {
                    for (const QString& name : names)
                        batch.push_back(
                            {step, name, 1.0 / static_cast<double>(step), 1.7e9 + static_cast<double>(step)});
                }
                QElapsedTimer timer;
                timer.start();
                const double cpuBefore = cpuSeconds();
                metrics.append(run, batch); // what is timed: the append, not building the batch
                seconds += timer.nsecsElapsed() / 1e9;
                cpu += cpuSeconds() - cpuBefore;
            }
            report(QStringLiteral("metric_rows_per_s_batch_%1").arg(batchSize), rows / seconds,
                   QStringLiteral("rows/s"), QStringLiteral("metric inserts, batches of %1").arg(batchSize));
            report(QStringLiteral("metric_rows_per_cpu_s_batch_%1").arg(batchSize), rows / cpu,
                   QStringLiteral("rows/s"), QStringLiteral("  per CPU second"));
        }
        QElapsedTimer curveTimer;
        curveTimer.start();
        const MetricSeries curve = metrics.series(run, QStringLiteral("loss"));
        report(QStringLiteral("metric_curve_ms"), curveTimer.nsecsElapsed() / 1e6, QStringLiteral("ms"),
               QStringLiteral("read one curve (%1 points)").arg(curve.steps.size()));
    } catch (const Error& error) {
        std::fprintf(stderr, "error: %s\n", qPrintable(error.message()));
        return 1;
    }
    if (args.contains(QStringLiteral("--json")))
        std::printf("%s", QJsonDocument(results).toJson().constData());
    return 0;
}
