#pragma once
// Writing files and folders so that a crash never leaves half-written data in place of good data.

#include <functional>

#include <QByteArray>
#include <QString>

class QIODevice;

namespace ft {

// Writes all `size` bytes to `device` (a file at `path`) or throws ft::Error naming the file and the
// reason. A full disk may first show as a short write; the rest is tried once more, and the reason
// is taken from errno, so that the error says "No space left on device" rather than Qt's "Unknown
// error".
void writeAllOrThrow(QIODevice& device, const char* data, qint64 size, const QString& path);

// Writes `bytes` to a temporary file beside `path`, flushes it, and renames it over `path`.
void writeFileAtomically(const QString& path, const QByteArray& bytes);

// Builds a folder in a temporary sibling (`fill` receives its path), then moves it to `path`. When
// `path` already exists it is replaced only if `replaceExisting`; otherwise that is an error.
void writeFolderAtomically(const QString& path, bool replaceExisting, const std::function<void(const QString&)>& fill);

} // namespace ft
