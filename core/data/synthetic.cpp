#include "data/synthetic.h"

#include <set>

#include <QJsonArray>
#include <QRegularExpression>

#include "common/error.h"
#include "common/json_file.h"

namespace ft {

namespace {

constexpr int64_t kMaxUnlimited = 1000000; // without a limit, more combinations than this is an error

// The {slot} names used in `text` ("{{" and "}}" are literal braces).
void collectSlots(const QString& text, std::set<QString>* names)
{
    static const QRegularExpression slot(QStringLiteral("\\{\\{|\\}\\}|\\{([^{}]*)\\}"));
    QRegularExpressionMatchIterator it = slot.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        const QString token = match.captured(0);
        if (token != QLatin1String("{{") && token != QLatin1String("}}"))
            names->insert(match.captured(1).trimmed());
    }
}

QString substitute(const QString& text, const std::map<QString, QString>& values)
{
    static const QRegularExpression slot(QStringLiteral("\\{\\{|\\}\\}|\\{([^{}]*)\\}"));
    QString out;
    qsizetype position = 0;
    QRegularExpressionMatchIterator it = slot.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out += QStringView(text).mid(position, match.capturedStart() - position);
        const QString token = match.captured(0);
        if (token == QLatin1String("{{"))
            out += QLatin1Char('{');
        else if (token == QLatin1String("}}"))
            out += QLatin1Char('}');
        else
            out += values.at(match.captured(1).trimmed());
        position = match.capturedEnd();
    }
    out += QStringView(text).mid(position);
    return out;
}

} // namespace

std::vector<ExampleRecord> expandSyntheticTemplate(const SyntheticTemplate& synthetic, int64_t limit)
{
    std::set<QString> used;
    for (const QString* text : {&synthetic.instruction, &synthetic.input, &synthetic.response})
        collectSlots(*text, &used);
    if (used.count(QString()))
        throw Error(QStringLiteral(
            "synthetic template: an empty slot name \"{}\" (write \"{{\" and \"}}\" for literal braces)"));
    for (const QString& name : used) {
        const auto it = synthetic.slotValues.find(name);
        if (it == synthetic.slotValues.end() || it->second.isEmpty())
            throw Error(
                QStringLiteral("synthetic template: slot {%1} is used in the text but given no values").arg(name));
    }
    std::vector<std::pair<QString, QStringList>> slotList; // in name order, the last varying fastest
    int64_t combinations = 1;
    for (const auto& [name, values] : synthetic.slotValues) {
        if (!used.count(name))
            throw Error(
                QStringLiteral("synthetic template: slot \"%1\" has values but is not used in the text").arg(name));
        slotList.emplace_back(name, values);
        combinations = combinations > kMaxUnlimited ? combinations : combinations * values.size();
    }
    if (limit <= 0 && combinations > kMaxUnlimited)
        throw Error(QStringLiteral("synthetic template: more than %1 combinations; set a limit").arg(kMaxUnlimited));
    const int64_t wanted = limit > 0 ? std::min(limit, combinations) : combinations;

    std::vector<ExampleRecord> records;
    records.reserve(static_cast<size_t>(wanted));
    std::vector<qsizetype> position(slotList.size(), 0);
    for (int64_t n = 0; n < wanted; ++n) {
        std::map<QString, QString> values;
        for (size_t s = 0; s < slotList.size(); ++s)
            values[slotList[s].first] = slotList[s].second[position[s]];
        ExampleRecord record;
        record.instruction = substitute(synthetic.instruction, values);
        record.input = substitute(synthetic.input, values);
        record.response = substitute(synthetic.response, values);
        records.push_back(std::move(record));
        for (size_t s = slotList.size(); s-- > 0;) { // odometer: the last slot turns fastest
            if (++position[s] < slotList[s].second.size())
                break;
            position[s] = 0;
        }
    }
    return records;
}

SyntheticTemplate readSyntheticTemplate(const QString& path)
{
    const QJsonObject json = readJsonObjectFile(path, 16 * 1024 * 1024);
    SyntheticTemplate synthetic;
    synthetic.instruction = requireString(json, QStringLiteral("instruction"), path);
    auto optional = [&](const char* key) {
        const QJsonValue value = json.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return QString();
        if (!value.isString())
            throw Error(QStringLiteral("%1: field \"%2\" must be a string").arg(path, QLatin1String(key)));
        return value.toString();
    };
    synthetic.input = optional("input");
    synthetic.response = optional("response");
    const QJsonValue slotsJson = json.value(QStringLiteral("slots"));
    if (!slotsJson.isObject())
        throw Error(QStringLiteral("%1: field \"slots\" must be an object {\"name\": [values, ...]}").arg(path));
    const QJsonObject object = slotsJson.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it->isArray())
            throw Error(QStringLiteral("%1: slot \"%2\" must be an array of strings").arg(path, it.key()));
        QStringList values;
        for (const QJsonValue& value : it->toArray()) {
            if (!value.isString())
                throw Error(QStringLiteral("%1: slot \"%2\" must hold only strings").arg(path, it.key()));
            values << value.toString();
        }
        synthetic.slotValues[it.key()] = values;
    }
    return synthetic;
}

} // namespace ft
