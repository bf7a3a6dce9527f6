#include "contract/event_fields.h"

#include <cmath>

#include "contract/run_events.h"

namespace ft {

void EventFields::fail(const QString& why)
{
    if (m_error.isEmpty())
        m_error = why;
}

void EventFields::expected(const char* key, const char* what)
{
    fail(QStringLiteral("\"%1\" is not %2").arg(QLatin1String(key), QLatin1String(what)));
}

double EventFields::number(const char* key, double fallback)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (!value.isDouble()) {
        expected(key, "a number");
        return fallback;
    }
    return value.toDouble();
}

qint64 EventFields::integer(const char* key, qint64 fallback)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return fallback;
    const double d = value.toDouble(kNaN);
    // 2^53: beyond it a double no longer holds every integer.
    if (!value.isDouble() || !std::isfinite(d) || std::abs(d) > 9007199254740992.0 || d != std::floor(d)) {
        expected(key, "an integer");
        return fallback;
    }
    return static_cast<qint64>(d);
}

bool EventFields::boolean(const char* key)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return false;
    if (!value.isBool()) {
        expected(key, "true or false");
        return false;
    }
    return value.toBool();
}

QString EventFields::text(const char* key)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isString()) {
        expected(key, "a string");
        return {};
    }
    QString s = value.toString();
    if (s.size() > kMaxEventTextChars) {
        s.truncate(kMaxEventTextChars);
        s += QStringLiteral(" [... cut]");
    }
    return s;
}

QJsonObject EventFields::object(const char* key)
{
    const QJsonValue value = m_object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isObject()) {
        expected(key, "an object");
        return {};
    }
    return value.toObject();
}

} // namespace ft
