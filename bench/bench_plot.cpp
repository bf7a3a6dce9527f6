// bench_plot: how long the training plot takes to take in and draw 100,000 step points, as a long
// run delivers them (100 batches of 1,000), in a 1200 x 700 window; then panning and zooming over
// everything, and the changes that recompute every point (smoothing, the x axis). Wall time and the
// thread's CPU time, medians and worst cases over the rounds. Numbers are reported, not asserted.
//
//   QT_QPA_PLATFORM=offscreen build/bench/bench_plot [ROUNDS]   # default 3

#include <QApplication>
#include <QElapsedTimer>
#include <QTest>

#include <qcustomplot.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "../tests/ui/synthetic_step_points.h"
#include "thread_cpu_time.h"
#include "widgets/training_plot.h"

using namespace ft;
using namespace ft::ui;

namespace {

// Wall and CPU milliseconds of the operations of one kind.
struct Timings {
    std::vector<double> wall, cpu;
    template <typename F> void time(F&& operation)
    {
        QElapsedTimer clock;
        const double cpuStart = threadCpuMs();
        clock.start();
        operation();
        wall.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
        cpu.push_back(threadCpuMs() - cpuStart);
    }
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double worst(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

void report(const char* what, const Timings& t)
{
    std::printf("| %s | %zu | %.1f | %.1f | %.1f | %.1f |\n", what, t.wall.size(), median(t.wall), worst(t.wall),
                median(t.cpu), worst(t.cpu));
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    Timings append, replot, interaction, smoothing, axis;
    for (int round = 0; round < rounds; ++round) {
        TrainingPlot plot;
        plot.resize(1200, 700);
        plot.show();
        if (!QTest::qWaitForWindowExposed(&plot)) {
            std::fprintf(stderr, "bench_plot: the window was not shown\n");
            return 1;
        }
        for (qint64 from = 1; from <= 100000; from += 1000) {
            const QVector<StepPoint> batch = test::syntheticStepPoints(from, 1000);
            append.time([&] { plot.appendSteps(batch); });
            replot.time([&] { plot.replotNow(); });
        }
        QCPAxis* x = plot.customPlot()->axisRect(0)->axis(QCPAxis::atBottom);
        for (int i = 0; i < 20; ++i)
            interaction.time([&] {
                x->setRange(i * 2000.0, 60000.0 + i * 2000.0);
                plot.replotNow();
            });
        smoothing.time([&] {
            plot.setSmoothing(round % 2 ? 0.6 : 0.9);
            plot.replotNow();
        });
        axis.time([&] {
            plot.setXAxis(TrainingPlot::XAxis::Tokens);
            plot.replotNow();
        });
    }
    std::printf("training plot, 100,000 points in batches of 1,000, 1200 x 700, %d rounds (ms)\n\n", rounds);
    std::printf("| operation | count | wall median | wall worst | CPU median | CPU worst |\n| --- | --- | --- | --- | "
                "--- | --- |\n");
    report("append a batch of 1,000", append);
    report("redraw after a batch", replot);
    report("pan/zoom redraw (all points loaded)", interaction);
    report("change the smoothing + redraw", smoothing);
    report("switch the x axis to tokens + redraw", axis);
    return 0;
}
