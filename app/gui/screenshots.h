#pragma once
// ftstudio --screenshots DIR: a PNG of every page, the Train page's advanced settings, the comparison
// of the workspace's runs, the newest sweep's dialog and a blind rating (scripts/screenshots makes a
// workspace with all of them), and the monitor on `dpoRun` (a run folder) when one is given.

#include <QString>

namespace ft::ui {

class MainWindow;

void saveScreenshots(MainWindow& window, const QString& dir, const QString& runsFolder,
                     const QString& dpoRun = QString());

} // namespace ft::ui
