#pragma once
// GgufExportProcess: `ftstudio-cli export SOURCE --gguf OUT --type T --events jsonl` (docs/gguf.md) as a
// QObject: progress in bytes, and one `ended` when the process has exited. cancel() stops it and nothing is
// written under OUT. Also the size of every type, from `export SOURCE --estimate --json`, for the dialog that
// lets a user choose. The GUI thread never waits for either.

#include <QMap>
#include <QObject>
#include <QStringList>

#include "runs/event_stream_process.h"

namespace ft {

struct GgufExportRequest {
    QString source;                        // a run folder, run id or name (with workspace), or a model folder
    QString workspace;                     // for a run named by id or name
    QString outPath;                       // the .gguf file
    QString type = QStringLiteral("f16");  // f32, f16, bf16, q8_0, q4_0, q4_k_m
    QString checkpoint;                    // runs: final (empty), best, latest, step-N
    bool modelfile = true;                 // an Ollama Modelfile beside the file
    QStringList arguments() const;         // export ... (without --events)
    QStringList estimateArguments() const; // export SOURCE --estimate --json
};

struct GgufExportEnd {
    QString status;  // finished | cancelled | failed
    QString message; // failed/cancelled: why; finished: "wrote PATH (TYPE, SIZE)"
    QString path;    // the file written
    qint64 bytes = 0;
    QString modelfile;     // the Modelfile written, if any
    QStringList fallbacks; // tensors written in another type than asked, with why
};

// The sizes `export --estimate --json` printed, by upper-case type name ("Q8_0"); empty on bad output.
QMap<QString, qint64> parseGgufEstimates(const QByteArray& json);

class GgufExportProcess : public QObject {
    Q_OBJECT
public:
    explicit GgufExportProcess(QObject* parent = nullptr);

    void setCliPath(const QString& path) { m_stream->setCliPath(path); }
    void start(const GgufExportRequest& request);
    bool isRunning() const { return m_stream->isRunning(); }
    void cancel() { m_stream->cancel(); }

signals:
    void progress(qint64 doneBytes, qint64 totalBytes);
    void ended(const ft::GgufExportEnd& end);

private:
    void handleEvent(const QJsonObject& event);
    void finish(const EventStreamExit& exit);

    EventStreamProcess* m_stream;
    GgufExportEnd m_end;
    bool m_sawFinal = false;
};

} // namespace ft

Q_DECLARE_METATYPE(ft::GgufExportEnd)
