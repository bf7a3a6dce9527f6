#pragma once
// The sample dataset written for this project (resources/sample/sample_dataset.jsonl), which a new
// workspace starts with and the starter model's tokenizer is trained on.

#include <QString>

namespace ft {

QString sampleDatasetPath(); // throws when the application data cannot be found

// Every text field of the sample dataset, one passage per line, written to `path`.
void writeSampleText(const QString& path);

} // namespace ft
