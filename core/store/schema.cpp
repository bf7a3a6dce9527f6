#include "store/schema.h"

#include <QStringList>

#include "common/error.h"
#include "store/database.h"

namespace ft {

namespace {

// The text of a multi-turn example as the full-text index sees it: the turns' JSON with its keys
// and escapes blanked out, so that "role", "user" or "content" do not match every conversation. A plain
// expression on purpose: FTS5 reads its content with SQLITE_PREPARE_NO_VTAB, so the content view
// cannot use json_each(); and 'rebuild' must compute exactly what the triggers inserted.
QString turnsText(const char* row)
{
    return QStringLiteral("replace(replace(replace(replace(replace(replace(%1.turns, '\"role\":\"user\"', ' '), "
                          "'\"role\":\"assistant\"', ' '), '\"content\":', ' '), '\\n', ' '), '\\t', ' '), "
                          "'\\\"', '\"')")
        .arg(QLatin1String(row));
}

QString ftsValues(const char* row)
{
    const QString r = QLatin1String(row);
    return QStringLiteral("%1.id, %1.system, %1.instruction, %1.input, %1.response, %2, %1.tags, %1.notes")
        .arg(r, turnsText(row));
}

// Version 1: datasets and their examples, with a full-text index kept in sync by triggers.
QStringList version1()
{
    const QString ftsColumns = QStringLiteral("rowid, system, instruction, input, response, turns, tags, notes");
    return {
        QStringLiteral(R"(CREATE TABLE datasets (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
            description TEXT NOT NULL DEFAULT '',
            created     INTEGER NOT NULL,
            modified    INTEGER NOT NULL,
            version     INTEGER NOT NULL DEFAULT 1))"),
        QStringLiteral(R"(CREATE TABLE examples (
            id          INTEGER PRIMARY KEY,
            dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            system      TEXT NOT NULL DEFAULT '',
            instruction TEXT NOT NULL DEFAULT '',
            input       TEXT NOT NULL DEFAULT '',
            response    TEXT NOT NULL DEFAULT '',
            turns       TEXT CHECK (turns IS NULL OR json_valid(turns)),
            tags        TEXT NOT NULL DEFAULT '',
            notes       TEXT NOT NULL DEFAULT '',
            split       TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'val', 'test')),
            source      TEXT NOT NULL DEFAULT '',
            flags       INTEGER NOT NULL DEFAULT 0,
            created     INTEGER NOT NULL,
            modified    INTEGER NOT NULL))"),
        QStringLiteral("CREATE INDEX examples_dataset_position ON examples (dataset_id, position)"),
        QStringLiteral("CREATE INDEX examples_dataset_split ON examples (dataset_id, split, position)"),
        // What the full-text index is built from ('rebuild' reads it): the texts of every example.
        QStringLiteral(
            "CREATE VIEW examples_fts_source AS SELECT id, system, instruction, input, response, %1 AS turns, "
            "tags, notes FROM examples")
            .arg(turnsText("examples")),
        QStringLiteral(R"(CREATE VIRTUAL TABLE examples_fts USING fts5(
            system, instruction, input, response, turns, tags, notes,
            content = 'examples_fts_source', content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2'))"),
        // Pending index terms are kept in memory up to 32 MB before being written out as a segment
        // (default 1 MB): a 100,000-example import then builds its index in less than half the time.
        QStringLiteral("INSERT INTO examples_fts (examples_fts, rank) VALUES ('hashsize', 33554432)"),
        // A bulk import indexes its rows in one statement at the end (about three times faster than
        // row by row); while it runs, its dataset is listed here, inside the import's transaction.
        QStringLiteral("CREATE TABLE examples_fts_deferred (dataset_id INTEGER PRIMARY KEY)"),
        QStringLiteral("CREATE TRIGGER examples_fts_insert AFTER INSERT ON examples WHEN NOT EXISTS "
                       "(SELECT 1 FROM examples_fts_deferred WHERE dataset_id = new.dataset_id) BEGIN "
                       "INSERT INTO examples_fts (%1) VALUES (%2); END")
            .arg(ftsColumns, ftsValues("new")),
        QStringLiteral("CREATE TRIGGER examples_fts_delete AFTER DELETE ON examples BEGIN "
                       "INSERT INTO examples_fts (examples_fts, %1) VALUES ('delete', %2); END")
            .arg(ftsColumns, ftsValues("old")),
        QStringLiteral(
            "CREATE TRIGGER examples_fts_update AFTER UPDATE OF system, instruction, input, response, turns, "
            "tags, notes ON examples BEGIN "
            "INSERT INTO examples_fts (examples_fts, %1) VALUES ('delete', %2); "
            "INSERT INTO examples_fts (%1) VALUES (%3); END")
            .arg(ftsColumns, ftsValues("old"), ftsValues("new")),
    };
}

// Version 2: the run history: runs, their checkpoints, metrics per step and evaluations.
QStringList version2()
{
    return {
        QStringLiteral(R"(CREATE TABLE runs (
            id              INTEGER PRIMARY KEY,
            name            TEXT NOT NULL,
            status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN
                                ('queued', 'running', 'finished', 'stopped', 'diverged', 'failed', 'interrupted')),
            mode            TEXT NOT NULL DEFAULT '',
            base_model_path TEXT NOT NULL DEFAULT '',
            base_model_id   TEXT NOT NULL DEFAULT '',
            dataset_id      INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
            dataset_name    TEXT NOT NULL DEFAULT '',
            dataset_version INTEGER,
            train_sha256    TEXT NOT NULL DEFAULT '',
            val_sha256      TEXT NOT NULL DEFAULT '',
            config          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
            run_dir         TEXT NOT NULL DEFAULT '',
            pid             INTEGER,
            host            TEXT NOT NULL DEFAULT '',
            created         INTEGER NOT NULL,
            started         INTEGER,
            finished        INTEGER,
            tokens_seen     INTEGER NOT NULL DEFAULT 0,
            best_val_loss   REAL,
            notes           TEXT NOT NULL DEFAULT '',
            tags            TEXT NOT NULL DEFAULT '',
            message         TEXT NOT NULL DEFAULT ''))"),
        QStringLiteral("CREATE INDEX runs_status ON runs (status)"),
        QStringLiteral(R"(CREATE TABLE checkpoints (
            id       INTEGER PRIMARY KEY,
            run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            step     INTEGER NOT NULL,
            path     TEXT NOT NULL,
            val_loss REAL,
            best     INTEGER NOT NULL DEFAULT 0 CHECK (best IN (0, 1)),
            created  INTEGER NOT NULL,
            UNIQUE (run_id, step)))"),
        // Clustered on (run, name, step): one metric's curve is one contiguous range. A step logged
        // again (after a resume) replaces the earlier value.
        QStringLiteral(R"(CREATE TABLE metrics (
            run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name      TEXT NOT NULL,
            step      INTEGER NOT NULL,
            value     REAL,
            wall_time REAL NOT NULL,
            PRIMARY KEY (run_id, name, step)) WITHOUT ROWID)"),
        QStringLiteral(R"(CREATE TABLE evaluations (
            id         INTEGER PRIMARY KEY,
            run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            checkpoint TEXT NOT NULL DEFAULT '',
            split      TEXT NOT NULL DEFAULT 'val',
            metric     TEXT NOT NULL,
            value      REAL,
            created    INTEGER NOT NULL))"),
        QStringLiteral("CREATE INDEX evaluations_run ON evaluations (run_id, metric)"),
    };
}

// Version 3: evaluations with their per-example outputs. A run's evaluation of one checkpoint on one
// split has a header (run_evaluations; its numbers stay in "evaluations"); a base model's evaluation
// is cached once per (model identity, split, records, settings) in base_evaluations. Both own their
// examples' outputs and scores in evaluation_outputs, so comparisons never generate again.
QStringList version3()
{
    return {
        QStringLiteral(R"(CREATE TABLE run_evaluations (
            id              INTEGER PRIMARY KEY,
            run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            checkpoint      TEXT NOT NULL,
            step            INTEGER,
            split           TEXT NOT NULL,
            dataset_id      INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
            dataset_name    TEXT NOT NULL DEFAULT '',
            dataset_version INTEGER,
            source          TEXT NOT NULL DEFAULT '',
            records_sha256  TEXT NOT NULL,
            examples        INTEGER NOT NULL,
            settings        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
            settings_key    TEXT NOT NULL,
            model_id        TEXT NOT NULL DEFAULT '',
            model_path      TEXT NOT NULL DEFAULT '',
            seconds         REAL NOT NULL DEFAULT 0,
            created         INTEGER NOT NULL,
            UNIQUE (run_id, checkpoint, split)))"),
        QStringLiteral(R"(CREATE TABLE base_evaluations (
            id              INTEGER PRIMARY KEY,
            model_id        TEXT NOT NULL CHECK (length(model_id) > 0),
            model_path      TEXT NOT NULL DEFAULT '',
            split           TEXT NOT NULL,
            dataset_id      INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
            dataset_name    TEXT NOT NULL DEFAULT '',
            dataset_version INTEGER,
            source          TEXT NOT NULL DEFAULT '',
            records_sha256  TEXT NOT NULL,
            examples        INTEGER NOT NULL,
            settings        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
            settings_key    TEXT NOT NULL,
            metrics         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
            seconds         REAL NOT NULL DEFAULT 0,
            created         INTEGER NOT NULL,
            UNIQUE (model_id, split, records_sha256, settings_key)))"),
        QStringLiteral(R"(CREATE TABLE evaluation_outputs (
            id                 INTEGER PRIMARY KEY,
            run_evaluation_id  INTEGER REFERENCES run_evaluations(id) ON DELETE CASCADE,
            base_evaluation_id INTEGER REFERENCES base_evaluations(id) ON DELETE CASCADE,
            example            INTEGER NOT NULL,
            example_key        TEXT NOT NULL,
            prompt             TEXT NOT NULL DEFAULT '',
            reference          TEXT NOT NULL DEFAULT '',
            output             TEXT NOT NULL DEFAULT '',
            prompt_tokens      INTEGER NOT NULL DEFAULT 0,
            output_tokens      INTEGER NOT NULL DEFAULT 0,
            stop_reason        TEXT NOT NULL DEFAULT '',
            scores             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(scores)),
            CHECK ((run_evaluation_id IS NULL) <> (base_evaluation_id IS NULL))))"),
        QStringLiteral("CREATE UNIQUE INDEX evaluation_outputs_run ON evaluation_outputs (run_evaluation_id, example) "
                       "WHERE run_evaluation_id IS NOT NULL"),
        QStringLiteral(
            "CREATE UNIQUE INDEX evaluation_outputs_base ON evaluation_outputs (base_evaluation_id, example) "
            "WHERE base_evaluation_id IS NOT NULL"),
        QStringLiteral("CREATE INDEX evaluations_run_checkpoint ON evaluations (run_id, checkpoint, split)"),
    };
}

// People's blind ratings of two models' answers to the same example (store/rating_store.h). A pair is
// stored once, its subjects in sorted order; a run's ratings go with the run.
QStringList version4()
{
    return {
        QStringLiteral(R"(CREATE TABLE ratings (
            id            INTEGER PRIMARY KEY,
            subject_a     TEXT NOT NULL CHECK (length(subject_a) > 0),
            subject_b     TEXT NOT NULL CHECK (length(subject_b) > 0),
            label_a       TEXT NOT NULL DEFAULT '',
            label_b       TEXT NOT NULL DEFAULT '',
            run_a         INTEGER REFERENCES runs(id) ON DELETE CASCADE,
            run_b         INTEGER REFERENCES runs(id) ON DELETE CASCADE,
            example_key   TEXT NOT NULL,
            prompt        TEXT NOT NULL DEFAULT '',
            reference     TEXT NOT NULL DEFAULT '',
            answer_a      TEXT NOT NULL DEFAULT '',
            answer_b      TEXT NOT NULL DEFAULT '',
            a_shown_first INTEGER NOT NULL,
            verdict       TEXT NOT NULL CHECK (verdict IN ('a', 'b', 'tie')),
            comment       TEXT NOT NULL DEFAULT '',
            created       INTEGER NOT NULL,
            CHECK (subject_a < subject_b),
            UNIQUE (subject_a, subject_b, example_key)))"),
        QStringLiteral("CREATE INDEX ratings_run_a ON ratings (run_a) WHERE run_a IS NOT NULL"),
        QStringLiteral("CREATE INDEX ratings_run_b ON ratings (run_b) WHERE run_b IS NOT NULL"),
    };
}

// Preference pairs: an instruction/response example may carry a rejected answer (DPO's data).
QStringList version5() { return {QStringLiteral("ALTER TABLE examples ADD COLUMN rejected TEXT NOT NULL DEFAULT ''")}; }

void migrateTo(QSqlDatabase db, int version, const QStringList& statements)
{
    Transaction transaction(db);
    if (schemaVersion(db) >= version) // another process got here first
        return;
    try {
        for (const QString& statement : statements)
            execSql(db, statement);
        execSql(db, QStringLiteral("PRAGMA user_version = %1").arg(version));
        transaction.commit();
    } catch (const Error& error) {
        transaction.rollback();
        throw Error(QStringLiteral("migrating the workspace database to schema version %1 failed; it was left at "
                                   "version %2: %3")
                        .arg(version)
                        .arg(version - 1)
                        .arg(error.message()));
    }
}

} // namespace

QString ftsIndexStatement(const QString& where)
{
    return QStringLiteral("INSERT INTO examples_fts (rowid, system, instruction, input, response, turns, tags, notes) "
                          "SELECT %1 FROM examples WHERE %2")
        .arg(ftsValues("examples"), where);
}

int schemaVersion(QSqlDatabase db) { return scalarSql(db, QStringLiteral("PRAGMA user_version")).toInt(); }

void migrateSchema(QSqlDatabase db, int target)
{
    const int version = schemaVersion(db);
    if (version > kSchemaVersion)
        throw Error(QStringLiteral("%1: schema version %2 is newer than this program's %3")
                        .arg(db.databaseName())
                        .arg(version)
                        .arg(kSchemaVersion));
    if (version < 1 && target >= 1)
        migrateTo(db, 1, version1());
    if (version < 2 && target >= 2)
        migrateTo(db, 2, version2());
    if (version < 3 && target >= 3)
        migrateTo(db, 3, version3());
    if (version < 4 && target >= 4)
        migrateTo(db, 4, version4());
    if (version < 5 && target >= 5)
        migrateTo(db, 5, version5());
}

} // namespace ft
