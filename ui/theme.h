#pragma once
// Light and dark themes on the Fusion style, or the system's own style and palette.

#include <QString>

namespace ft::ui {

// "system": the style and palette the application started with; "light": Fusion with its standard
// palette; "dark": Fusion with a dark palette. Call once a QApplication exists; safe to call again.
void applyTheme(const QString& theme);
QString currentTheme();

} // namespace ft::ui
