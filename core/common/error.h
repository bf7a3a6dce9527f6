#pragma once
// The one exception type of the project. Messages name the file, record or line and what was
// expected, so that a user can act on them without a debugger.

#include <stdexcept>
#include <string>

#include <QString>

namespace ft {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message)
        : std::runtime_error(message)
    {
    }
    explicit Error(const QString& message)
        : std::runtime_error(message.toStdString())
    {
    }
    QString message() const { return QString::fromStdString(what()); }
};

} // namespace ft
