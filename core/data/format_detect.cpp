// Guessing a dataset file's format and column mapping from its name and its first record.
#include <QFile>
#include <QFileInfo>

#include "common/error.h"
#include "data/csv_parser.h"
#include "data/dataset_format.h"
#include "data/json_object_source.h"

namespace ft {

namespace {

constexpr qint64 kHeadBytes = 1 << 20;

QByteArray readHead(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    QByteArray head = file.read(kHeadBytes);
    if (head.startsWith("\xEF\xBB\xBF"))
        head.remove(0, 3);
    return head;
}

QString normalizedColumn(const QString& name)
{
    QString n = name.trimmed().toLower();
    n.replace(QLatin1Char(' '), QLatin1Char('_'));
    n.replace(QLatin1Char('-'), QLatin1Char('_'));
    return n;
}

// The first header column whose normalised name is one of `candidates` (in the candidates' order).
QString pickColumn(const QStringList& header, std::initializer_list<const char*> candidates)
{
    for (const char* candidate : candidates)
        for (const QString& column : header)
            if (normalizedColumn(column) == QLatin1String(candidate))
                return column.trimmed();
    return {};
}

ColumnMapping guessMapping(const QStringList& header)
{
    ColumnMapping m;
    m.instruction = pickColumn(header, {"instruction", "prompt", "question", "query", "instructions"});
    m.input = pickColumn(header, {"input", "context"});
    m.response = pickColumn(header, {"output", "response", "answer", "completion", "target", "text"});
    m.system = pickColumn(header, {"system", "system_prompt"});
    m.tags = pickColumn(header, {"tags", "category", "tag", "categories"});
    return m;
}

QString describeMapping(const ColumnMapping& m)
{
    QStringList parts;
    auto add = [&](const char* field, const QString& column) {
        if (!column.isEmpty())
            parts << QStringLiteral("%1 \u2190 \"%2\"").arg(QLatin1String(field), column);
    };
    add("instruction", m.instruction);
    add("input", m.input);
    add("response", m.response);
    add("system", m.system);
    add("tags", m.tags);
    return parts.join(QStringLiteral(", "));
}

void detectJson(const QString& path, FormatDetection* d)
{
    JsonObjectSource source(path, 32 * 1024 * 1024);
    QJsonObject first;
    QString location;
    QString reason;
    const JsonObjectSource::Status status = source.next(&first, &location, &reason);
    if (status == JsonObjectSource::Status::End)
        throw Error(QStringLiteral("%1: the file holds no records").arg(path));
    if (status == JsonObjectSource::Status::Bad)
        throw Error(
            QStringLiteral("%1: cannot tell the format: the first record is unreadable: %2").arg(location, reason));
    QStringList keys = first.keys();
    d->columns = keys;
    const QString layout = source.isArray() ? QStringLiteral("a JSON array") : QStringLiteral("JSON Lines");
    auto has = [&](const char* key) { return first.contains(QLatin1String(key)); };
    QString why;
    if (has("chosen") && has("rejected")) {
        d->format = DatasetFormat::Preference;
        why = QStringLiteral("its records have \"chosen\" and \"rejected\"");
    } else if (has("conversations")) {
        d->format = DatasetFormat::ShareGpt;
        why = QStringLiteral("its records have \"conversations\"");
    } else if (has("messages")) {
        d->format = DatasetFormat::OpenAiChat;
        why = QStringLiteral("its records have \"messages\"");
    } else if (has("turns")) {
        d->format = DatasetFormat::Studio;
        why = QStringLiteral("its records have \"turns\"");
    } else if (has("instruction") && has("output")) {
        d->format = DatasetFormat::Alpaca;
        why = QStringLiteral("its records have \"instruction\" and \"output\"");
    } else if (has("instruction") && has("response") && (has("context") || has("category"))) {
        d->format = DatasetFormat::Dolly;
        why = QStringLiteral("its records have \"instruction\", \"response\" and \"context\"/\"category\"");
    } else if (has("instruction") && has("response")) {
        d->format = DatasetFormat::Studio;
        why = QStringLiteral("its records have \"instruction\" and \"response\"");
    } else {
        throw Error(
            QStringLiteral(
                "%1: cannot tell the format: the first record has the keys %2; expected \"conversations\" (ShareGPT), "
                "\"messages\" (OpenAI chat), \"chosen\"+\"rejected\" (preference pairs), \"instruction\"+\"output\" "
                "(Alpaca), "
                "\"instruction\"+\"response\"+\"context\" "
                "(Dolly) or \"instruction\"+\"response\" (studio)")
                .arg(location, keys.isEmpty() ? QStringLiteral("(none)") : keys.join(QStringLiteral(", "))));
    }
    d->explanation = QStringLiteral("%1 (%2): %3 because %4.")
                         .arg(datasetFormatName(d->format), layout, QFileInfo(path).fileName(), why);
}

void detectDelimited(const QString& path, FormatDetection* d)
{
    CsvRecordReader records(path, d->format == DatasetFormat::Tsv ? '\t' : ',', 32 * 1024 * 1024);
    QStringList header;
    QString reason;
    const CsvRecordReader::Status status = records.next(&header, &reason);
    if (status == CsvRecordReader::Status::End)
        throw Error(QStringLiteral("%1: the file is empty (expected a header line naming the columns)").arg(path));
    if (status == CsvRecordReader::Status::Bad)
        throw Error(QStringLiteral("%1:%2: cannot read the header line: %3").arg(path).arg(records.line()).arg(reason));
    for (QString& name : header)
        name = name.trimmed();
    d->columns = header;
    d->mapping = guessMapping(header);
    d->explanation = QStringLiteral("%1 with a header of %2 columns (%3). ")
                         .arg(d->format == DatasetFormat::Tsv ? QStringLiteral("Tab-separated values")
                                                              : QStringLiteral("Comma-separated values"))
                         .arg(header.size())
                         .arg(header.join(QStringLiteral(", ")));
    if (d->mapping.response.isEmpty())
        d->explanation += QStringLiteral(
            "No column looks like the response (output, response, answer, completion, text): choose one.");
    else
        d->explanation += QStringLiteral("Columns chosen by name: %1.").arg(describeMapping(d->mapping));
}

bool hasBlankLine(const QByteArray& head)
{
    bool lineBlank = true;
    bool seenText = false;
    for (char c : head) {
        if (c == '\n') {
            if (lineBlank && seenText)
                return true;
            lineBlank = true;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            lineBlank = false;
            seenText = true;
        }
    }
    return false;
}

} // namespace

FormatDetection detectDatasetFormat(const QString& path, int previewCount)
{
    FormatDetection d;
    const QByteArray head = readHead(path);
    if (head.trimmed().isEmpty())
        throw Error(QStringLiteral("%1: the file is empty").arg(path));
    const QString suffix = QFileInfo(path).suffix().toLower();
    const char first = head.trimmed().at(0);
    if (suffix == QLatin1String("csv")) {
        d.format = DatasetFormat::Csv;
        detectDelimited(path, &d);
    } else if (suffix == QLatin1String("tsv") || suffix == QLatin1String("tab")) {
        d.format = DatasetFormat::Tsv;
        detectDelimited(path, &d);
    } else if (suffix == QLatin1String("txt") || suffix == QLatin1String("text") || suffix == QLatin1String("md") ||
               (first != '[' && first != '{' && suffix != QLatin1String("json") && suffix != QLatin1String("jsonl"))) {
        d.format = DatasetFormat::PlainText;
        d.textUnit = hasBlankLine(head) ? PlainTextUnit::Paragraph : PlainTextUnit::Line;
        d.explanation =
            d.textUnit == PlainTextUnit::Paragraph
                ? QStringLiteral("Plain text: one example per paragraph (paragraphs are separated by blank lines), for "
                                 "continued pre-training.")
                : QStringLiteral("Plain text without blank lines: one example per line, for continued pre-training.");
    } else {
        detectJson(path, &d);
    }

    try {
        const std::unique_ptr<DatasetReader> reader = openDatasetReader(path, d.options());
        ImportedExample example;
        while (static_cast<int>(d.preview.size()) < previewCount && reader->next(&example))
            d.preview.push_back(example);
    } catch (const Error& error) {
        d.explanation +=
            QStringLiteral(" The first records could not all be read with these settings: %1").arg(error.message());
    }
    return d;
}

} // namespace ft
