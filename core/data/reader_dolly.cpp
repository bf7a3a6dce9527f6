// Dolly records (databricks-dolly-15k): {"instruction", "context", "response", "category"}; the
// context becomes the input and the category a tag.
#include "data/format_readers.h"

namespace ft {

ImportedExample dollyExample(const QJsonObject& json, ImportCounts*)
{
    ImportedExample example;
    example.record.instruction = requiredStringField(json, QStringLiteral("instruction"));
    example.record.input = optionalStringField(json, QStringLiteral("context"));
    example.record.response = requiredStringField(json, QStringLiteral("response"));
    example.tags = optionalTagsField(json, QStringLiteral("category"));
    return example;
}

} // namespace ft
