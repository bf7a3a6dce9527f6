#include "data/sample_dataset.h"

#include <QFile>

#include "common/app_paths.h"
#include "common/error.h"
#include "data/jsonl_records.h"

namespace ft {

QString sampleDatasetPath() { return appDataFile(QStringLiteral("sample/sample_dataset.jsonl")); }

void writeSampleText(const QString& path)
{
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, out.errorString()));
    auto write = [&](const QString& text) {
        for (const QString& passage : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            out.write(passage.toUtf8() + '\n');
    };
    readJsonlRecords(sampleDatasetPath(), [&](NumberedRecord&& numbered) {
        const ExampleRecord& r = numbered.record;
        for (const QString* text : {&r.system, &r.instruction, &r.input, &r.response})
            write(*text);
    });
}

} // namespace ft
