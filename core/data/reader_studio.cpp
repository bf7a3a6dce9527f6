// The studio's own JSONL: ExampleRecord::toJson() objects, plus "tags" (as in the sample dataset).
#include "common/error.h"
#include "data/format_readers.h"

namespace ft {

ImportedExample studioExample(const QJsonObject& json, ImportCounts* counts)
{
    ImportedExample example;
    try {
        example.record = ExampleRecord::fromJson(json, QString(), /*allowEmptyResponse=*/true);
    } catch (const Error& error) {
        QString reason = error.message();
        if (reason.startsWith(QLatin1String(": ")))
            reason.remove(0, 2);
        throw Error(reason);
    }
    example.tags = optionalTagsField(json, QStringLiteral("tags"));
    if (example.record.isMultiTurn())
        ++counts->multiTurn;
    return example;
}

} // namespace ft
