#pragma once
// Writing files and folders so that a crash never leaves half-written data in place of good data.

#include <functional>

#include <QByteArray>
#include <QString>

namespace ft {

// Writes `bytes` to a temporary file beside `path`, flushes it, and renames it over `path`.
void writeFileAtomically(const QString& path, const QByteArray& bytes);

// Builds a folder in a temporary sibling (`fill` receives its path), then moves it to `path`. When
// `path` already exists it is replaced only if `replaceExisting`; otherwise that is an error.
void writeFolderAtomically(const QString& path, bool replaceExisting, const std::function<void(const QString&)>& fill);

} // namespace ft
