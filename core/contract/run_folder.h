#pragma once
// A run's folder, as studio and worker both see it: the one rule that names new run folders, and
// where each of a run's files lives.
//
//   <runs>/<yyyyMMdd-HHmmss>-<slug>/   the folder (-2, -3, ... when the name is taken)
//     config.json        the settings: a prepared request until a worker starts the run, then the
//                        fully resolved configuration the worker wrote
//     data/train.jsonl   the frozen training examples (and data/val.jsonl, the validation ones)
//     checkpoints/       made when a worker starts the run: its presence means "started"
//     export/model       the exported model of a finished run
//     events.jsonl       the studio's copy of the worker's event stream
//     log.txt            the worker's human log
//     control/           commands for a worker that outlived the studio that started it (*.cmd:
//                        stop, pause, resume, checkpoint), and "paused" while it is paused

#include <vector>

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace ft {

struct TrainConfig;

// A checkpoint as readers outside the engine see it: checkpoints/step-<8 digits>/ with its state.json
// written (a folder without it is a write that never finished), and whether best.json names it.
struct RunCheckpoint {
    QString path; // the checkpoint's folder
    QString name; // canonical: "step-200"
    qint64 step = 0;
    bool best = false;
};

class RunFolder {
public:
    explicit RunFolder(const QString& path);

    // Makes a new run folder in `runsDir` (created when missing) named by the date and the run's
    // name, and numbered when that is taken, also by another process at the same moment. Throws
    // ft::Error when the folder cannot be made.
    static RunFolder create(const QString& runsDir, const QString& runName,
                            const QDateTime& now = QDateTime::currentDateTime());
    // The part of a folder name that comes from a run's name: lower case, [a-z0-9._-] only, at most
    // 40 characters, never empty ("run").
    static QString slug(const QString& runName);

    const QString& path() const { return m_path; }
    QString configPath() const;
    QString dataPath() const;
    QString trainDataPath() const;
    QString valDataPath() const;
    QString checkpointsPath() const;
    QString exportModelPath() const;
    QString exportAdapterPath() const; // export/adapter: LoRA adapters or a soft prompt, in PEFT's layout
    QString eventsPath() const;
    QString logPath() const;
    QString controlPath() const;

    // Leaves `command` (stop, pause, resume or checkpoint) for the run's worker, which looks every quarter
    // second: the channel to a worker whose studio is gone (its stdin with it). Written atomically, one
    // file per command, so none is lost. Throws ft::Error for another command or an unwritable folder.
    void sendCommand(const QString& command) const;
    // The commands left so far, oldest first (the worker's side). Each is claimed by renaming it before it
    // is read, so that no command is taken twice; one left before `notBefore` (for an earlier session of
    // the run) is dropped unread.
    QStringList takeCommands(const QDateTime& notBefore = {}) const;
    // The worker marks its pauses here, so that a studio that did not start it can tell.
    void markPaused(bool paused) const;
    bool isPaused() const;

    // Whether a worker has started this run (it has its checkpoints folder); before that its
    // config.json, if any, is a prepared request.
    bool hasStarted() const;
    // Marks the run started (makes the checkpoints folder). Throws ft::Error when it cannot.
    void markStarted() const;
    // The finished checkpoints, by step (no error: an unreadable best.json marks none as best).
    std::vector<RunCheckpoint> checkpoints() const;
    // Writes `config` as the request a worker starts from (`ftstudio-cli train --run DIR`),
    // atomically. Throws ft::Error when the run has started already.
    void writeRequest(const TrainConfig& config) const;

private:
    QString m_path;
};

} // namespace ft
