#pragma once
// Typed reading of one event's JSON fields, for the readers of the workers' streams. A missing field
// (or null: JSON has no NaN, so a worker writes null for it) gives the fallback; a present field of
// the wrong type records an error naming the field and what was expected, and gives the fallback.

#include <limits>

#include <QJsonObject>
#include <QString>

namespace ft {

class EventFields {
public:
    explicit EventFields(const QJsonObject& object)
        : m_object(object)
    {
    }

    // The first error met, or empty.
    QString error() const { return m_error; }
    // Records `why` unless an error is recorded already.
    void fail(const QString& why);

    double number(const char* key, double fallback = kNaN);
    qint64 integer(const char* key, qint64 fallback = 0); // an exact integer within ±2^53
    bool boolean(const char* key);
    QString text(const char* key); // cut to kMaxEventTextChars with a note
    QJsonObject object(const char* key);

private:
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    void expected(const char* key, const char* what);

    QJsonObject m_object;
    QString m_error;
};

} // namespace ft
