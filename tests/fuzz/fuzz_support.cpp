#include "fuzz_support.h"

#include <QDir>
#include <QFile>

#include <unistd.h>

namespace ft::fuzz {

QString writeInput(const uint8_t* data, size_t size, const QString& name)
{
    static const QString folder = [] {
        const QString path = QDir::temp().filePath(QStringLiteral("ftstudio-fuzz-%1").arg(::getpid()));
        QDir().mkpath(path);
        return path;
    }();
    const QString path = QDir(folder).filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        abort(); // the harness itself is broken: say so loudly
    file.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    return path;
}

} // namespace ft::fuzz
