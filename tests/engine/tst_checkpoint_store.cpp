// Writing checkpoints when the disk says no: a clean error naming the file, never std::terminate.
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include "common/error.h"
#include "engine/checkpoint_store.h"
#include <torch/torch.h>

using namespace ft;

class TestCheckpointStore : public QObject {
    Q_OBJECT
private slots:
    // LibTorch's own writer threw from its destructor on a full disk (found with a 2 MB tmpfs):
    // the worker died with "terminate called after throwing c10::Error".
    void aFullDiskIsAnErrorNamingTheFile()
    {
        if (!QFileInfo::exists(QStringLiteral("/dev/full")))
            QSKIP("no /dev/full on this system");
        torch::Tensor weight = torch::ones({64, 64}, torch::requires_grad());
        torch::optim::AdamW optimizer({weight}, torch::optim::AdamWOptions(1e-3));
        weight.sum().backward();
        optimizer.step(); // the state to write: two moments of 64 x 64
        try {
            writeOptimizerState(optimizer, QStringLiteral("/dev/full"));
            QFAIL("a write to a full device succeeded");
        } catch (const Error& error) {
            QVERIFY2(error.message().startsWith(QLatin1String("/dev/full: cannot write: No space left on device")),
                     qPrintable(error.message()));
        }
        // And where there is room, the same state is written and reads back.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("optimizer.pt"));
        writeOptimizerState(optimizer, path);
        torch::optim::AdamW restored({weight}, torch::optim::AdamWOptions(1e-3));
        torch::serialize::InputArchive archive;
        archive.load_from(path.toStdString());
        restored.load(archive);
        const auto& before = static_cast<torch::optim::AdamWParamState&>(*optimizer.state().begin()->second);
        const auto& after = static_cast<torch::optim::AdamWParamState&>(*restored.state().begin()->second);
        QVERIFY(torch::equal(before.exp_avg_sq(), after.exp_avg_sq()));
        QCOMPARE(after.step(), 1);
    }
};

QTEST_APPLESS_MAIN(TestCheckpointStore)
#include "tst_checkpoint_store.moc"
