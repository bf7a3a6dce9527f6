#include "store/run_settings.h"

#include <cmath>
#include <set>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace ft {

QString settingNumber(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    return QString::number(value, 'g', 6);
}

QString runDatasetLabel(const RunInfo& run)
{
    if (run.datasetName.isEmpty())
        return QStringLiteral("-");
    return run.datasetVersion ? QStringLiteral("%1 v%2").arg(run.datasetName).arg(*run.datasetVersion)
                              : run.datasetName;
}

namespace {

void flatten(const QJsonValue& value, const QString& prefix, std::map<QString, QString>* out)
{
    if (value.isObject() && !value.toObject().isEmpty()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            flatten(it.value(), prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key(), out);
        return;
    }
    QString text;
    if (value.isString())
        text = value.toString();
    else if (value.isDouble())
        text = settingNumber(value.toDouble());
    else if (value.isBool())
        text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else if (value.isNull())
        text = QStringLiteral("null");
    else
        text = QString::fromUtf8((value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject()))
                                     .toJson(QJsonDocument::Compact));
    (*out)[prefix] = text;
}

} // namespace

std::map<QString, QString> runSettings(const RunInfo& run)
{
    std::map<QString, QString> settings;
    settings[QStringLiteral("mode")] = run.mode;
    settings[QStringLiteral("base_model")] = run.baseModelPath;
    settings[QStringLiteral("dataset")] = runDatasetLabel(run);
    flatten(run.config, QStringLiteral("config"), &settings);
    // The mode and the model are listed above, under their own names: not a second time.
    settings.erase(QStringLiteral("config.mode"));
    settings.erase(QStringLiteral("config.model"));
    // The frozen data files live in each run's own folder: what tells runs apart is their content.
    const std::pair<const char*, const QString*> files[] = {{"config.train_file", &run.trainSha256},
                                                            {"config.val_file", &run.valSha256}};
    for (const auto& [key, sha] : files) {
        const auto it = settings.find(QLatin1String(key));
        if (it != settings.end() && !sha->isEmpty())
            it->second = QStringLiteral("%1 (sha256 %2)").arg(QFileInfo(it->second).fileName(), sha->left(12));
    }
    return settings;
}

std::vector<SettingRow> settingDifferences(const std::vector<RunInfo>& runs, bool all)
{
    std::vector<std::map<QString, QString>> settings;
    std::set<QString> keys;
    for (const RunInfo& run : runs) {
        settings.push_back(runSettings(run));
        for (const auto& [key, value] : settings.back())
            keys.insert(key);
    }
    std::vector<SettingRow> rows;
    for (const QString& key : keys) {
        QStringList values;
        for (const auto& s : settings) {
            const auto it = s.find(key);
            values << (it == s.end() ? QStringLiteral("(unset)") : it->second);
        }
        QStringList distinct = values;
        distinct.removeDuplicates();
        if (distinct.size() > 1 || all)
            rows.push_back({key, values});
    }
    return rows;
}

} // namespace ft
