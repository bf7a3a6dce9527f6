#pragma once
// The user guide of Help > User guide (F1), made from docs/gui.md, which also serves the project's readers:
// what is marked <!-- developers --> ... <!-- /developers --> (build commands, test notes, measurements) is
// left out, as are images (the window shows none) and references to source files; the title is the guide's.

#include <QString>

namespace ft::ui {

QString userGuideMarkdown(const QString& guiMarkdown);

} // namespace ft::ui
