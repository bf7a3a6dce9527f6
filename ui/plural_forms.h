#pragma once
// English plurals. The studio's messages count with Qt's %n ("%n run(s) are training."); only a translation
// chooses "1 run is training." or "2 runs are training.", so the studio installs its English one
// (resources/translations/ftstudio_en.ts, compiled at build time, kept by scripts/update-plurals).

class QCoreApplication;

namespace ft::ui {

// Installs the plural forms into `app`; false (and a warning) when the compiled file is missing.
bool installPluralForms(QCoreApplication& app);

} // namespace ft::ui
