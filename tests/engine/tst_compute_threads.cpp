// The thread count reaches the engine's own kernels: at::parallel_for in the engine splits work over
// every thread set (it ran serially, unnoticed, while the engine was built without OpenMP).
#include <QTest>

#include <ATen/Parallel.h>

#include "engine/compute_threads.h"

using namespace ft;

class TestComputeThreads : public QObject {
    Q_OBJECT
private slots:
    void engineKernelsUseTheThreadsSet()
    {
        const int before = at::get_num_threads();
        QCOMPARE(configureComputeThreads(2), 2);
        QCOMPARE(at::get_num_threads(), 2);
        QCOMPARE(engineKernelThreads(), 2);
        QCOMPARE(configureComputeThreads(1), 1);
        QCOMPARE(engineKernelThreads(), 1);
        at::set_num_threads(before);
    }
};

QTEST_APPLESS_MAIN(TestComputeThreads)
#include "tst_compute_threads.moc"
