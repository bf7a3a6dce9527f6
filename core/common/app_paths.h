#pragma once
// Where the program finds its own data (sample dataset, templates) and keeps its workspace.

#include <QString>

namespace ft {

QString appVersion();

// The folder holding the application data: $FT_DATA_DIR if set, else the installed
// <prefix>/share/ftstudio next to the executable, else the source tree's resources/ (build tree runs).
QString appDataDir();

// A file inside appDataDir(); throws ft::Error naming every place searched when it is not found.
QString appDataFile(const QString& relativePath);

} // namespace ft
