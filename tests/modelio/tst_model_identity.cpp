// A model's identity: equal for copies of the same files anywhere, different when the weights, the
// configuration or the tokenizer change; big files are identified by windows of their bytes.

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "modelio/model_identity.h"
#include "support/test_support.h"

using namespace ft;

namespace {

void copyFolder(const QString& from, const QString& to)
{
    QDir().mkpath(to);
    for (const QString& name : QDir(from).entryList(QDir::Files)) {
        QVERIFY(QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name)));
        QFile(QDir(to).filePath(name)).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
}

void flipByte(const QString& path, qint64 offset)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    file.seek(offset);
    char byte = 0;
    file.getChar(&byte);
    file.seek(offset);
    file.putChar(static_cast<char>(byte ^ 0x5a));
}

} // namespace

class TestModelIdentity : public QObject {
    Q_OBJECT
private slots:
    void copiesAgreeAndChangesShow()
    {
        FT_REQUIRE_SHARED();
        QTemporaryDir dir;
        const QString source = test::sharedPath(QStringLiteral("fixtures/stories260K/hf"));
        const QString a = dir.filePath(QStringLiteral("a"));
        const QString b = dir.filePath(QStringLiteral("b"));
        copyFolder(source, a);
        copyFolder(source, b);
        const QString id = modelIdentity(a);
        QCOMPARE(id.size(), 64);
        QCOMPARE(modelIdentity(b), id);
        QCOMPARE(modelIdentity(source), id);

        flipByte(QDir(b).filePath(QStringLiteral("model.safetensors")),
                 QFile(QDir(b).filePath(QStringLiteral("model.safetensors"))).size() - 3);
        QVERIFY(modelIdentity(b) != id); // one weight changed
        copyFolder(source, dir.filePath(QStringLiteral("c")));
        QFile config(dir.filePath(QStringLiteral("c/config.json")));
        QVERIFY(config.open(QIODevice::Append));
        config.write("\n");
        config.close();
        QVERIFY(modelIdentity(dir.filePath(QStringLiteral("c"))) != id);
        copyFolder(source, dir.filePath(QStringLiteral("d")));
        flipByte(dir.filePath(QStringLiteral("d/tokenizer.model")), 100);
        QVERIFY(modelIdentity(dir.filePath(QStringLiteral("d"))) != id);
        // A llama2.c checkpoint is a file of its own.
        QVERIFY(modelIdentity(test::sharedPath(QStringLiteral("fixtures/stories260K/stories260K.bin"))) != id);
    }

    void bigFilesAreSampled()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.bin"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QByteArray chunk(1 << 20, '\0');
            QRandomGenerator random(3);
            for (int i = 0; i < 40; ++i) {
                random.fillRange(reinterpret_cast<quint32*>(chunk.data()), chunk.size() / 4);
                file.write(chunk);
            }
        }
        const QString whole = modelIdentity(path);
        const QString sampled = modelIdentity(path, 0);
        QVERIFY(whole != sampled);
        flipByte(path, 10); // inside the first window
        QVERIFY(modelIdentity(path, 0) != sampled);
        const QString after = modelIdentity(path, 0);
        const QString wholeAfter = modelIdentity(path);
        flipByte(path, (1 << 20) + (1 << 19)); // between the first two windows: the documented blind spot
        QCOMPARE(modelIdentity(path, 0), after);
        QVERIFY(modelIdentity(path) != wholeAfter); // hashed whole, every byte counts
    }

    void missingPath() { QVERIFY_THROWS_EXCEPTION(Error, modelIdentity(QStringLiteral("/nonexistent/model"))); }
};

QTEST_GUILESS_MAIN(TestModelIdentity)
#include "tst_model_identity.moc"
