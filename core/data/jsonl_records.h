#pragma once
// Reading and writing JSONL files of example records, one JSON object per line. Reading streams the
// file (no whole-file copy) and every error names the file and the line.

#include <functional>
#include <vector>

#include <QString>

#include "data/example_record.h"

namespace ft {

struct NumberedRecord {
    ExampleRecord record;
    int64_t line = 0; // 1-based line in the file
};

// Calls `onRecord` for each non-blank line (a UTF-8 BOM and CRLF line ends are accepted). Throws
// ft::Error "<path>:<line>: ..." for the first bad line.
void readJsonlRecords(const QString& path, const std::function<void(NumberedRecord&&)>& onRecord,
                      bool allowEmptyResponse = false);
std::vector<NumberedRecord> readJsonlRecords(const QString& path, bool allowEmptyResponse = false);

// Writes the records, one compact JSON object per line, atomically. Returns the SHA-256 (hex) of the
// bytes written.
QString writeJsonlRecords(const QString& path, const std::vector<ExampleRecord>& records);

// SHA-256 (hex) of a file's bytes.
QString fileSha256(const QString& path);

} // namespace ft
