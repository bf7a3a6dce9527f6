#include "app_settings.h"

#include <cmath>
#include <limits>

#include <QDir>
#include <QStandardPaths>

namespace ft::ui {

AppSettings::AppSettings(const QString& iniPath, QObject* parent)
    : QObject(parent)
    , m_settings(iniPath.isEmpty()
                     ? std::make_unique<QSettings>(QStringLiteral("FineTune Studio"), QStringLiteral("ftstudio"))
                     : std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
}

QString AppSettings::dataFolder()
{
    const QString fromEnv = qEnvironmentVariable("FT_DATA_HOME");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(QStringLiteral("FineTune Studio/ftstudio"));
}

QString AppSettings::defaultWorkspace()
{
    const QString fromEnv = qEnvironmentVariable("FT_WORKSPACE");
    return fromEnv.isEmpty() ? dataFolder() : fromEnv;
}

QString AppSettings::starterModelPath() const { return QDir(modelsFolder()).filePath(QStringLiteral("starter-tiny")); }

QString AppSettings::workspace() const
{
    const QString path = m_settings->value(QStringLiteral("workspace/current")).toString();
    return path.isEmpty() ? defaultWorkspace() : path;
}

void AppSettings::setWorkspace(const QString& path)
{
    m_settings->setValue(QStringLiteral("workspace/current"), path);
    pushFront(QStringLiteral("workspace/recent"), path);
}

QStringList AppSettings::recentWorkspaces() const
{
    return m_settings->value(QStringLiteral("workspace/recent")).toStringList();
}

void AppSettings::clearRecentWorkspaces() { m_settings->remove(QStringLiteral("workspace/recent")); }

QString AppSettings::runsFolder() const { return QDir(workspace()).filePath(QStringLiteral("runs")); }

QStringList AppSettings::knownModels() const
{
    return m_settings->value(QStringLiteral("models/known")).toStringList();
}

void AppSettings::addKnownModel(const QString& path)
{
    const QString clean = QDir::cleanPath(path);
    if (knownModels().value(0) == clean)
        return; // already the most recent: nothing changes
    pushFront(QStringLiteral("models/known"), clean);
    emit knownModelsChanged();
}

void AppSettings::removeKnownModel(const QString& path)
{
    QStringList list = knownModels();
    if (list.removeAll(QDir::cleanPath(path)) == 0)
        return;
    m_settings->setValue(QStringLiteral("models/known"), list);
    emit knownModelsChanged();
}

QStringList AppSettings::pushFront(const QString& key, const QString& value)
{
    QStringList list = m_settings->value(key).toStringList();
    list.removeAll(value);
    list.prepend(value);
    while (list.size() > kMaxRecent)
        list.removeLast();
    m_settings->setValue(key, list);
    return list;
}

QString AppSettings::modelsFolder() const
{
    return m_settings->value(QStringLiteral("folders/models"), QDir(dataFolder()).filePath(QStringLiteral("models")))
        .toString();
}

void AppSettings::setModelsFolder(const QString& path) { m_settings->setValue(QStringLiteral("folders/models"), path); }

QString AppSettings::dataFilesFolder() const
{
    return m_settings->value(QStringLiteral("folders/data"), QDir::homePath()).toString();
}

void AppSettings::setDataFilesFolder(const QString& path)
{
    m_settings->setValue(QStringLiteral("folders/data"), path);
}

int AppSettings::threads() const
{
    return std::max(0, m_settings->value(QStringLiteral("general/threads"), 0).toInt());
}

void AppSettings::setThreads(int threads)
{
    m_settings->setValue(QStringLiteral("general/threads"), std::max(0, threads));
}

QString AppSettings::theme() const
{
    const QString theme = m_settings->value(QStringLiteral("appearance/theme"), QStringLiteral("system")).toString();
    return theme == QLatin1String("light") || theme == QLatin1String("dark") ? theme : QStringLiteral("system");
}

void AppSettings::setTheme(const QString& theme) { m_settings->setValue(QStringLiteral("appearance/theme"), theme); }

int AppSettings::maxConcurrentRuns() const
{
    return std::clamp(m_settings->value(QStringLiteral("runs/maxConcurrent"), 1).toInt(), 1, 16);
}

void AppSettings::setMaxConcurrentRuns(int count)
{
    m_settings->setValue(QStringLiteral("runs/maxConcurrent"), std::clamp(count, 1, 16));
}

double AppSettings::sgemmGflops(int threads) const
{
    bool ok = false;
    const double value = m_settings->value(QStringLiteral("bench/sgemm_gflops_threads_%1").arg(threads)).toDouble(&ok);
    return ok && std::isfinite(value) && value > 0 ? value : std::numeric_limits<double>::quiet_NaN();
}

void AppSettings::setSgemmGflops(int threads, double gflops)
{
    m_settings->setValue(QStringLiteral("bench/sgemm_gflops_threads_%1").arg(threads), gflops);
}

double AppSettings::bf16Gflops(int threads) const
{
    bool ok = false;
    const double value = m_settings->value(QStringLiteral("bench/bf16_gflops_threads_%1").arg(threads)).toDouble(&ok);
    return ok && std::isfinite(value) && value > 0 ? value : std::numeric_limits<double>::quiet_NaN();
}

void AppSettings::setBf16Gflops(int threads, double gflops)
{
    m_settings->setValue(QStringLiteral("bench/bf16_gflops_threads_%1").arg(threads), gflops);
}

QByteArray AppSettings::value(const QString& key) const { return m_settings->value(key).toByteArray(); }

void AppSettings::setValue(const QString& key, const QByteArray& value) { m_settings->setValue(key, value); }

QString AppSettings::text(const QString& key, const QString& fallback) const
{
    return m_settings->value(key, fallback).toString();
}

void AppSettings::setText(const QString& key, const QString& value) { m_settings->setValue(key, value); }

void AppSettings::sync() { m_settings->sync(); }

} // namespace ft::ui
