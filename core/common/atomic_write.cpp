#include "common/atomic_write.h"

#include <cerrno>
#include <cstring>

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QUuid>

#include "common/error.h"

namespace ft {

void writeAllOrThrow(QIODevice& device, const char* data, qint64 size, const QString& path)
{
    qint64 done = 0;
    int reason = 0; // errno of the failed write: Qt's buffered files say only "Unknown error"
    for (int attempt = 0; attempt < 2 && done < size; ++attempt) {
        errno = 0;
        const qint64 written = device.write(data + done, size - done);
        reason = errno;
        if (written < 0)
            break;
        done += written;
    }
    if (done < size)
        throw Error(QStringLiteral("%1: write failed after %2 of %3 bytes: %4")
                        .arg(path)
                        .arg(done)
                        .arg(size)
                        .arg(reason != 0 ? QString::fromLocal8Bit(std::strerror(reason)) : device.errorString()));
}

void writeFileAtomically(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
    writeAllOrThrow(file, bytes.constData(), bytes.size(), path);
    if (!file.commit())
        throw Error(QStringLiteral("%1: write failed: %2").arg(path, file.errorString()));
}

void writeFolderAtomically(const QString& path, bool replaceExisting, const std::function<void(const QString&)>& fill)
{
    const QFileInfo target(path);
    const QString parent = target.absolutePath();
    if (!QDir().mkpath(parent))
        throw Error(QStringLiteral("%1: cannot create folder").arg(parent));
    if (target.exists() && !replaceExisting)
        throw Error(QStringLiteral("%1 already exists (choose another name or allow replacing it)").arg(path));

    const QString token = QUuid::createUuid().toString(QUuid::Id128).left(8);
    const QString staging = QDir(parent).filePath(QStringLiteral(".%1.tmp-%2").arg(target.fileName(), token));
    if (!QDir().mkpath(staging))
        throw Error(QStringLiteral("%1: cannot create staging folder").arg(staging));
    try {
        fill(staging);
    } catch (...) {
        QDir(staging).removeRecursively();
        throw;
    }

    // The old folder is moved aside first so that at every moment one complete copy exists.
    QString aside;
    if (target.exists()) {
        aside = QDir(parent).filePath(QStringLiteral(".%1.old-%2").arg(target.fileName(), token));
        if (!QDir().rename(path, aside)) {
            QDir(staging).removeRecursively();
            throw Error(QStringLiteral("%1: cannot move the existing folder aside").arg(path));
        }
    }
    if (!QDir().rename(staging, path)) {
        if (!aside.isEmpty())
            QDir().rename(aside, path);
        QDir(staging).removeRecursively();
        throw Error(QStringLiteral("%1: cannot move the finished folder into place").arg(path));
    }
    if (!aside.isEmpty())
        QDir(aside).removeRecursively();
}

} // namespace ft
