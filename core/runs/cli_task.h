#pragma once
// CliTask: a short ftstudio-cli command run in the background (creating the starter model, measuring
// the machine's matrix-multiply throughput), reported by one signal when it is done. The GUI thread
// never waits for it.

#include <QObject>
#include <QProcess>
#include <QStringList>

namespace ft {

struct CliTaskResult {
    bool ok = false; // exited normally with status 0
    int exitCode = -1;
    QByteArray out;  // stdout (at most 4 MB)
    QString message; // on failure: what went wrong, with the tail of stderr
};

class CliTask : public QObject {
    Q_OBJECT
public:
    explicit CliTask(QObject* parent = nullptr);
    ~CliTask() override; // kills a command still running

    void setCliPath(const QString& path) { m_cliPath = path; }
    void start(const QStringList& arguments);
    bool isRunning() const { return m_running; }
    void cancel();

    // The commands the studio runs.
    static QStringList starterModelArguments(const QString& outFolder, const QString& preset = QStringLiteral("tiny"));
    static QStringList sgemmBenchArguments(int threads);
    // Read `bench sgemm --json` output (fp32's and bf16's rates); NaN when it holds no positive figure.
    static double parseSgemmGflops(const QByteArray& out);
    static double parseBf16Gflops(const QByteArray& out);

signals:
    void done(const ft::CliTaskResult& result);

private:
    QString m_cliPath;
    QProcess* m_process = nullptr;
    QByteArray m_out;
    QByteArray m_err;
    bool m_running = false;
};

} // namespace ft

Q_DECLARE_METATYPE(ft::CliTaskResult)
