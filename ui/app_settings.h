#pragma once
// The studio's remembered settings (QSettings): workspace and recent workspaces, models used before,
// default folders, threads, theme, runs at once, the measured machine throughput, window layout.
// Tests give it their own INI file so they never touch the user's settings. The models used before are
// the one list every page offers (Train, the Datasets page's token counts, the Playground): a change
// is signalled so that each follows at once.

#include <memory>

#include <QByteArray>
#include <QObject>
#include <QSettings>
#include <QString>
#include <QStringList>

namespace ft::ui {

class AppSettings : public QObject {
    Q_OBJECT
public:
    // `iniPath` empty: the user's settings (organisation "FineTune Studio", application "ftstudio").
    explicit AppSettings(const QString& iniPath = {}, QObject* parent = nullptr);

    // The application data folder (starter model, default workspace): $FT_DATA_HOME, else
    // QStandardPaths::AppLocalDataLocation (~/.local/share/FineTune Studio/ftstudio).
    static QString dataFolder();
    static QString defaultWorkspace(); // $FT_WORKSPACE, else dataFolder()
    QString starterModelPath() const;  // <models folder>/starter-tiny

    QString workspace() const;
    void setWorkspace(const QString& path); // also moves it to the front of the recent list
    QStringList recentWorkspaces() const;
    void clearRecentWorkspaces();
    QString runsFolder() const; // <workspace>/runs

    QStringList knownModels() const; // models used before, most recent first
    void addKnownModel(const QString& path);
    void removeKnownModel(const QString& path);

    QString modelsFolder() const; // default: <data folder>/models
    void setModelsFolder(const QString& path);
    QString dataFilesFolder() const; // where file dialogs for datasets open; default: home
    void setDataFilesFolder(const QString& path);

    int threads() const; // 0: all physical cores
    void setThreads(int threads);
    QString theme() const; // system | light | dark
    void setTheme(const QString& theme);
    int maxConcurrentRuns() const; // default 1
    void setMaxConcurrentRuns(int count);

    double sgemmGflops(int threads) const; // NaN when not measured for this thread count
    double bf16Gflops(int threads) const;  // the same for bf16 matrix products
    void setSgemmGflops(int threads, double gflops);
    void setBf16Gflops(int threads, double gflops);

    QByteArray value(const QString& key) const; // window geometry, splitter states, ...
    void setValue(const QString& key, const QByteArray& value);
    QString text(const QString& key, const QString& fallback = {}) const;
    void setText(const QString& key, const QString& value);

    void sync();
    QSettings& settings() { return *m_settings; }

    static constexpr int kMaxRecent = 8;

signals:
    void knownModelsChanged();

private:
    QStringList pushFront(const QString& key, const QString& value);
    std::unique_ptr<QSettings> m_settings;
};

} // namespace ft::ui
