#pragma once
// A workspace: the folder holding everything a user curates and runs.
//
//   <workspace>/studio.db       datasets, examples, runs, metrics, evaluations, checkpoints (SQLite, WAL)
//   <workspace>/runs/<run>/     one folder per training run (config.json, data/, checkpoints/, export/, log)
//
// The default workspace is $FT_WORKSPACE when set, else the application data folder
// (QStandardPaths::AppDataLocation for organisation "FineTune Studio", application "ftstudio", e.g.
// ~/.local/share/FineTune Studio/ftstudio), created on first use. A new workspace starts with the
// sample dataset (resources/sample/sample_dataset.jsonl) so that the studio has something to show.

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace ft {

struct WorkspaceOptions {
    bool seedSampleDataset = true; // when the database is created
};

class Workspace {
public:
    // Opens (creating when missing) the workspace in `dir`; empty: defaultPath(). Throws ft::Error
    // when the folder cannot be created or the database cannot be used (see threadConnection).
    static Workspace open(const QString& dir = {}, const WorkspaceOptions& options = {});
    static QString defaultPath();

    QString path() const { return m_path; }
    QString databasePath() const;
    QString runsPath() const;
    // This thread's connection to studio.db (see database.h for the rule).
    QSqlDatabase database() const;

    // Whether this open created the database, and what went wrong on the way that did not stop it
    // (e.g. the sample dataset could not be found).
    bool created() const { return m_created; }
    QStringList warnings() const { return m_warnings; }

    // Deletes a run's folder when it lies inside runs/; returns false (and keeps it) otherwise.
    bool removeRunFolder(const QString& runDir) const;

private:
    QString m_path;
    bool m_created = false;
    QStringList m_warnings;
};

// Adds the project's sample dataset as "Sample" (tags kept); returns its id.
qint64 seedSampleDataset(QSqlDatabase db);

} // namespace ft
