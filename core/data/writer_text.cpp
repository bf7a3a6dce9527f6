// Writers for CSV/TSV (with a header) and plain text.
#include <QRegularExpression>

#include "data/csv_parser.h"
#include "data/format_writers.h"

namespace ft {

void writeDelimited(DatasetSink& out, const std::vector<ImportedExample>& examples, DatasetFormat format)
{
    const QChar delimiter = format == DatasetFormat::Tsv ? QLatin1Char('\t') : QLatin1Char(',');
    auto row = [&](const QStringList& fields) {
        QStringList quoted;
        for (const QString& field : fields)
            quoted << csvQuote(field, delimiter);
        out.write(quoted.join(delimiter).toUtf8() + '\n');
    };
    row({QStringLiteral("instruction"), QStringLiteral("input"), QStringLiteral("response"), QStringLiteral("system"),
         QStringLiteral("tags")});
    for (size_t i = 0; i < examples.size(); ++i) {
        const ImportedExample& example = examples[i];
        if (example.record.isMultiTurn())
            refuseRecord(out.path(), format, i, example,
                         QStringLiteral("is a multi-turn conversation, which one table row cannot hold"));
        row({example.record.instruction, example.record.input, example.record.response, example.record.system,
             example.tags.join(QLatin1Char(';'))});
    }
}

void writePlainText(DatasetSink& out, const std::vector<ImportedExample>& examples)
{
    // One paragraph per record, separated by blank lines: read back per paragraph (or per line, when
    // no record spans lines) it gives the same records.
    static const QRegularExpression blankLine(QStringLiteral("(^|\\n)[ \\t\\f\\v]*(\\n|$)"));
    for (size_t i = 0; i < examples.size(); ++i) {
        const ImportedExample& example = examples[i];
        const ExampleRecord& record = example.record;
        if (record.isMultiTurn() || !record.instruction.isEmpty() || !record.input.isEmpty() ||
            !record.system.isEmpty())
            refuseRecord(out.path(), DatasetFormat::PlainText, i, example,
                         QStringLiteral(
                             "has an instruction, input, system prompt or turns; plain text holds only response text"));
        QString text = record.response;
        text.replace(QLatin1String("\r\n"), QLatin1String("\n"));
        if (text.contains(blankLine))
            refuseRecord(
                out.path(), DatasetFormat::PlainText, i, example,
                QStringLiteral("is empty or contains a blank line, which would split it into several paragraphs"));
        out.write((i == 0 ? QString() : QStringLiteral("\n")).toUtf8() + text.toUtf8() + '\n');
    }
}

} // namespace ft
