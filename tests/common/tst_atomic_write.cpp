#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "common/atomic_write.h"
#include "common/error.h"

using namespace ft;

namespace {
QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestAtomicWrite : public QObject {
    Q_OBJECT
private slots:
    void fileIsReplacedWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.txt"));
        writeFileAtomically(path, "first");
        writeFileAtomically(path, "second");
        QCOMPARE(readAll(path), QByteArray("second"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }
    void failedFolderWriteKeepsTheOldFolder()
    {
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("model"));
        writeFolderAtomically(target, false, [](const QString& staging) {
            writeFileAtomically(QDir(staging).filePath(QStringLiteral("config.json")), "old");
        });
        QVERIFY_THROWS_EXCEPTION(Error, writeFolderAtomically(target, true, [](const QString& staging) {
                                     writeFileAtomically(QDir(staging).filePath(QStringLiteral("config.json")), "half");
                                     throw Error(QStringLiteral("disk full"));
                                 }));
        QCOMPARE(readAll(QDir(target).filePath(QStringLiteral("config.json"))), QByteArray("old"));
        // No staging folder is left behind.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden).size(), 1);
    }
    // A full disk: Qt's own message is "Unknown error"; the one the user reads names the reason.
    void aFullDeviceSaysSo()
    {
        QFile full(QStringLiteral("/dev/full"));
        if (!full.open(QIODevice::WriteOnly))
            QSKIP("no writable /dev/full on this system");
        const QByteArray bytes(256 * 1024, 'x');
        try {
            writeAllOrThrow(full, bytes.constData(), bytes.size(), QStringLiteral("/dev/full"));
            QFAIL("a full device took every byte");
        } catch (const Error& error) {
            QVERIFY2(error.message().startsWith(QLatin1String("/dev/full: write failed after 0 of 262144 bytes: No "
                                                              "space left on device")),
                     qPrintable(error.message()));
        }
    }
    void existingFolderNeedsPermission()
    {
        QTemporaryDir dir;
        const QString target = dir.filePath(QStringLiteral("model"));
        auto fill = [](const QString& staging) {
            writeFileAtomically(QDir(staging).filePath(QStringLiteral("x")), "1");
        };
        writeFolderAtomically(target, false, fill);
        QVERIFY_THROWS_EXCEPTION(Error, writeFolderAtomically(target, false, fill));
        writeFolderAtomically(target, true, [](const QString& staging) {
            writeFileAtomically(QDir(staging).filePath(QStringLiteral("x")), "2");
        });
        QCOMPARE(readAll(QDir(target).filePath(QStringLiteral("x"))), QByteArray("2"));
    }
};

QTEST_APPLESS_MAIN(TestAtomicWrite)
#include "tst_atomic_write.moc"
