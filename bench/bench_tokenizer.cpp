// bench_tokenizer: encode throughput of the tokenizer.json tokenizers (ft::Tokenizer) against Hugging
// Face's Rust `tokenizers` (the node oracle) on the same text. Numbers are reported, never asserted.
//
// The corpus: every text of ../shared/datasets (wiki_demo.txt paragraphs, the Alpaca records of
// alpaca_en_demo.json and gsm8k_alpaca.json, the ShareGPT turns and tools of glaive_toolcall) plus the
// fixtures' expected.json texts (scripts, emoji, whitespace runs), about 6.6 MB in ~19,000 records.
// Per tokenizer, single-threaded unless said:
//   whole   - the corpus joined by "\n" as one text, one encode call;
//   records - each record encoded on its own, one after another (what an import's token count does);
//   threads - the records split over --threads threads (the reference: encodeBatch, rayon).
// Each is run --runs times; medians are reported. The oracle (bench/bench_tokenizer_oracle.mjs under
// node, started once per tokenizer, so node's start-up is not timed) encodes the same records, and the
// total token count and an id checksum of both sides are compared.
//
// Usage: bench_tokenizer [--shared DIR] [--oracles DIR | --no-oracle] [--runs N] [--threads N]
//                        [--tokenizer NAME]... [--json]
//   NAME: a fixture folder of ../shared/fixtures/tokenizers (default qwen3, llama3, llama2-tokenizer-json)

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "common/error.h"
#include "modelio/tokenizer.h"

using namespace ft;

namespace {

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

QJsonDocument readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    return QJsonDocument::fromJson(file.readAll());
}

// The records of the corpus, as UTF-8 texts.
std::vector<std::string> buildCorpus(const QDir& shared)
{
    std::vector<std::string> records;
    auto add = [&](const QString& text) {
        if (!text.isEmpty())
            records.push_back(text.toStdString());
    };
    QFile wiki(shared.filePath(QStringLiteral("datasets/wiki_demo.txt")));
    if (!wiki.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open (pass --shared DIR)").arg(wiki.fileName()));
    for (const QByteArray& line : wiki.readAll().split('\n'))
        add(QString::fromUtf8(line));
    for (const QString& name : {QStringLiteral("alpaca_en_demo.json"), QStringLiteral("gsm8k_alpaca.json")})
        for (const QJsonValue& value : readJson(shared.filePath(QStringLiteral("datasets/") + name)).array()) {
            const QJsonObject record = value.toObject();
            add(record.value(QStringLiteral("instruction")).toString() + QLatin1Char('\n') +
                record.value(QStringLiteral("input")).toString() + QLatin1Char('\n') +
                record.value(QStringLiteral("output")).toString());
        }
    for (const QJsonValue& value :
         readJson(shared.filePath(QStringLiteral("datasets/glaive_toolcall_sharegpt.json"))).array()) {
        const QJsonObject record = value.toObject();
        add(record.value(QStringLiteral("tools")).toString());
        for (const QJsonValue& turn : record.value(QStringLiteral("conversations")).toArray())
            add(turn.toObject().value(QStringLiteral("value")).toString());
    }
    for (const QString& name :
         {QStringLiteral("qwen3"), QStringLiteral("llama3"), QStringLiteral("llama2-tokenizer-json")})
        for (const QJsonValue& value :
             readJson(shared.filePath(QStringLiteral("fixtures/tokenizers/%1/expected.json").arg(name)))
                 .object()
                 .value(QStringLiteral("cases"))
                 .toArray())
            add(value.toObject().value(QStringLiteral("text")).toString());
    return records;
}

// The same checksum as bench_tokenizer_oracle.mjs: h = h * 31 + id (mod 2^32) over every id in order.
struct Count {
    int64_t tokens = 0;
    uint32_t hash = 0;
    void add(const std::vector<TokenId>& ids)
    {
        tokens += int64_t(ids.size());
        for (const TokenId id : ids)
            hash = hash * 31u + uint32_t(id);
    }
};

struct Side {
    double loadMs = 0;
    double wholeS = 0;
    double recordsS = 0;
    double threadsS = 0;
    int64_t wholeTokens = 0;
    Count records;
    bool ok = false;
    QString error;
};

Side measureOurs(const QString& path, const std::vector<std::string>& records, const std::string& whole, int runs,
                 int threads)
{
    Side side;
    QElapsedTimer timer;
    timer.start();
    const auto tokenizer = Tokenizer::fromTokenizerJson(path);
    side.loadMs = double(timer.nsecsElapsed()) / 1e6;
    std::vector<double> wholeS, recordsS, threadsS;
    for (int run = 0; run < runs; ++run) {
        timer.restart();
        side.wholeTokens = int64_t(tokenizer->encode(whole).size());
        wholeS.push_back(double(timer.nsecsElapsed()) / 1e9);

        Count count;
        timer.restart();
        for (const std::string& record : records)
            count.add(tokenizer->encode(record));
        recordsS.push_back(double(timer.nsecsElapsed()) / 1e9);
        side.records = count;

        std::vector<std::thread> pool;
        std::vector<int64_t> perThread(size_t(threads), 0);
        timer.restart();
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                for (size_t i = size_t(t); i < records.size(); i += size_t(threads))
                    perThread[size_t(t)] += int64_t(tokenizer->encode(records[i]).size());
            });
        for (std::thread& thread : pool)
            thread.join();
        threadsS.push_back(double(timer.nsecsElapsed()) / 1e9);
    }
    side.wholeS = median(wholeS);
    side.recordsS = median(recordsS);
    side.threadsS = median(threadsS);
    side.ok = true;
    return side;
}

Side measureOracle(const QString& oracles, const QString& script, const QString& path, const QString& recordsFile,
                   int runs)
{
    Side side;
    QProcess node;
    node.start(QStringLiteral("node"), {script, oracles, path, recordsFile, QString::number(runs)});
    node.waitForFinished(-1);
    const QJsonObject out = QJsonDocument::fromJson(node.readAllStandardOutput()).object();
    if (node.exitCode() != 0 || out.isEmpty()) {
        side.error = QString::fromUtf8(node.readAllStandardError()).trimmed();
        return side;
    }
    auto medianOf = [&](const QString& key) {
        std::vector<double> values;
        for (const QJsonValue& v : out.value(key).toArray())
            values.push_back(v.toDouble());
        return median(values);
    };
    side.loadMs = out.value(QStringLiteral("load_ms")).toDouble();
    side.wholeS = medianOf(QStringLiteral("whole_s"));
    side.recordsS = medianOf(QStringLiteral("records_s"));
    side.threadsS = medianOf(QStringLiteral("batch_s"));
    side.wholeTokens = out.value(QStringLiteral("whole_tokens")).toInteger();
    side.records.tokens = out.value(QStringLiteral("records_tokens")).toInteger();
    side.records.hash = uint32_t(out.value(QStringLiteral("records_hash")).toInteger());
    side.ok = true;
    return side;
}

QString findOracles(const QDir& shared)
{
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
        return {};
    const QString env = qEnvironmentVariable("FT_ORACLES_DIR");
    if (!env.isEmpty())
        return env;
    QProcess install;
    install.start(QStringLiteral("sh"), {shared.filePath(QStringLiteral("tools/oracles/install"))});
    install.waitForFinished(600000);
    const QStringList lines = QString::fromUtf8(install.readAllStandardOutput()).trimmed().split(QLatin1Char('\n'));
    return install.exitCode() == 0 && !lines.isEmpty() ? lines.last().trimmed() : QString();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QString sharedDir = qEnvironmentVariable("FT_SHARED_DIR", QStringLiteral(FT_DEFAULT_SHARED_DIR));
    QString oracles;
    bool useOracle = true;
    bool json = false;
    int runs = 5;
    int threads = int(std::max(2u, std::thread::hardware_concurrency()));
    QStringList names;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == QLatin1String("--shared") && hasValue)
            sharedDir = args[++i];
        else if (a == QLatin1String("--oracles") && hasValue)
            oracles = args[++i];
        else if (a == QLatin1String("--no-oracle"))
            useOracle = false;
        else if (a == QLatin1String("--runs") && hasValue)
            runs = std::max(1, args[++i].toInt());
        else if (a == QLatin1String("--threads") && hasValue)
            threads = std::max(1, args[++i].toInt());
        else if (a == QLatin1String("--tokenizer") && hasValue)
            names << args[++i];
        else if (a == QLatin1String("--json"))
            json = true;
        else {
            std::fprintf(stderr, "usage: bench_tokenizer [--shared DIR] [--oracles DIR | --no-oracle] [--runs N] "
                                 "[--threads N] [--tokenizer NAME]... [--json]\n");
            return 2;
        }
    }
    if (names.isEmpty())
        names = {QStringLiteral("qwen3"), QStringLiteral("llama3"), QStringLiteral("llama2-tokenizer-json")};

    try {
        const QDir shared(sharedDir);
        const std::vector<std::string> records = buildCorpus(shared);
        std::string whole;
        for (const std::string& record : records) {
            whole += record;
            whole += '\n';
        }
        const double mb = double(whole.size()) / 1e6;

        // The oracle reads the very same records from a file.
        QTemporaryDir scratch;
        const QString recordsFile = scratch.filePath(QStringLiteral("records.json"));
        {
            QJsonArray array;
            for (const std::string& record : records)
                array.append(QString::fromStdString(record));
            QFile file(recordsFile);
            if (!file.open(QIODevice::WriteOnly))
                throw Error(QStringLiteral("%1: cannot write").arg(recordsFile));
            file.write(QJsonDocument(array).toJson(QJsonDocument::Compact));
        }
        const QString script =
            QDir(QStringLiteral(FT_BENCH_SOURCE_DIR)).filePath(QStringLiteral("bench_tokenizer_oracle.mjs"));
        if (useOracle && oracles.isEmpty())
            oracles = findOracles(shared);
        if (useOracle && oracles.isEmpty())
            std::fprintf(stderr, "bench_tokenizer: node or the oracle is missing; measuring this side only\n");

        if (!json)
            std::printf("corpus: %zu records, %.2f MB; %d runs, medians; threads row: %d threads\n", records.size(), mb,
                        runs, threads);
        QJsonArray results;
        for (const QString& name : names) {
            const QString path = shared.filePath(QStringLiteral("fixtures/tokenizers/%1/tokenizer.json").arg(name));
            const Side ours = measureOurs(path, records, whole, runs, threads);
            Side ref;
            if (useOracle && !oracles.isEmpty()) {
                ref = measureOracle(oracles, script, path, recordsFile, runs);
                if (!ref.ok)
                    std::fprintf(stderr, "bench_tokenizer: the oracle failed on %s: %s\n", qPrintable(name),
                                 qPrintable(ref.error));
            }
            const bool same = ref.ok && ref.records.tokens == ours.records.tokens &&
                              ref.records.hash == ours.records.hash && ref.wholeTokens == ours.wholeTokens;
            QJsonObject result{{QStringLiteral("tokenizer"), name},
                               {QStringLiteral("corpus_mb"), mb},
                               {QStringLiteral("records"), qint64(records.size())},
                               {QStringLiteral("tokens"), qint64(ours.records.tokens)},
                               {QStringLiteral("load_ms"), ours.loadMs},
                               {QStringLiteral("whole_mb_per_s"), mb / ours.wholeS},
                               {QStringLiteral("records_mb_per_s"), mb / ours.recordsS},
                               {QStringLiteral("records_per_s"), double(records.size()) / ours.recordsS},
                               {QStringLiteral("threads_mb_per_s"), mb / ours.threadsS},
                               {QStringLiteral("threads"), threads}};
            if (ref.ok) {
                result.insert(QStringLiteral("reference"),
                              QJsonObject{{QStringLiteral("load_ms"), ref.loadMs},
                                          {QStringLiteral("whole_mb_per_s"), mb / ref.wholeS},
                                          {QStringLiteral("records_mb_per_s"), mb / ref.recordsS},
                                          {QStringLiteral("records_per_s"), double(records.size()) / ref.recordsS},
                                          {QStringLiteral("batch_mb_per_s"), mb / ref.threadsS}});
                result.insert(QStringLiteral("same_ids"), same);
            }
            results.append(result);
            if (json)
                continue;
            std::printf("\n%s: %lld tokens (records), load %.0f ms%s\n", qPrintable(name),
                        static_cast<long long>(ours.records.tokens), ours.loadMs,
                        ref.ok ? qPrintable(QStringLiteral(", reference load %1 ms; ids %2")
                                                .arg(ref.loadMs, 0, 'f', 0)
                                                .arg(same ? QStringLiteral("identical (token count and checksum)")
                                                          : QStringLiteral("DIFFER")))
                               : "");
            std::printf("  %-34s %10s %12s %8s\n", "case", "ours MB/s", "reference", "ratio");
            auto row = [&](const char* label, double oursS, double refS) {
                if (ref.ok)
                    std::printf("  %-34s %10.2f %12.2f %7.2fx\n", label, mb / oursS, mb / refS, refS / oursS);
                else
                    std::printf("  %-34s %10.2f %12s %8s\n", label, mb / oursS, "-", "-");
            };
            row("whole text, one call", ours.wholeS, ref.wholeS);
            row("records one by one", ours.recordsS, ref.recordsS);
            row("records on threads / encodeBatch", ours.threadsS, ref.threadsS);
            // What an import's token count costs: records per second, one after another.
            std::printf(
                "  records/s one by one: ours %.0f%s\n", double(records.size()) / ours.recordsS,
                ref.ok
                    ? qPrintable(QStringLiteral(", reference %1").arg(double(records.size()) / ref.recordsS, 0, 'f', 0))
                    : "");
        }
        if (json)
            std::printf("%s\n", QJsonDocument(results).toJson(QJsonDocument::Indented).constData());
    } catch (const Error& error) {
        std::fprintf(stderr, "bench_tokenizer: %s\n", qPrintable(error.message()));
        return 1;
    }
    return 0;
}
