#pragma once
// Sets (or unsets, with a null value) an environment variable for one scope, and puts back what was
// there when the scope ends, also when a failed check returns early.

#include <QByteArray>
#include <QtGlobal>

namespace ft::test {

class ScopedEnvironment {
public:
    ScopedEnvironment(const char* name, const QByteArray& value)
        : m_name(name)
        , m_had(qEnvironmentVariableIsSet(name))
        , m_old(qgetenv(name))
    {
        set(value);
    }
    ~ScopedEnvironment() { set(m_had ? m_old : QByteArray()); }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

    // Another value within the same scope; the original still comes back at its end.
    void set(const QByteArray& value) const
    {
        if (value.isNull())
            qunsetenv(m_name);
        else
            qputenv(m_name, value);
    }

private:
    const char* m_name;
    bool m_had;
    QByteArray m_old;
};

} // namespace ft::test
