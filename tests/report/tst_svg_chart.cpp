// The SVG line-chart writer: well-formed XML, one polyline per series with its points, labels
// escaped, dashed series and markers, an empty chart still drawn, and tick values that are round.

#include <QTest>

#include "report/svg_chart.h"
#include "svg_test_util.h"

using namespace ft;

class TestSvgChart : public QObject {
    Q_OBJECT
private slots:
    void twoSeriesWellFormed()
    {
        LineChart chart;
        chart.title = QStringLiteral("Loss <train & val>");
        chart.xLabel = QStringLiteral("step");
        chart.yLabel = QStringLiteral("loss");
        ChartSeries train;
        train.label = QStringLiteral("#1 \"a\" train");
        train.x = {1, 2, 3, 4};
        train.y = {3.0, 2.5, std::nan(""), 2.0}; // NaN skipped
        ChartSeries val;
        val.label = QStringLiteral("#1 val");
        val.x = {2, 4};
        val.y = {2.7, 2.2};
        val.dashed = true;
        val.markers = true;
        val.color = chartColor(1);
        chart.series = {train, val};
        const QString svg = renderSvgLineChart(chart);
        QVERIFY(svg.startsWith(QLatin1String("<?xml")));
        const test::SvgCheck check = test::checkSvg(svg.toUtf8());
        QVERIFY2(check.wellFormed, qPrintable(check.error));
        QCOMPARE(check.root, QStringLiteral("svg"));
        QCOMPARE(check.elements.at(QStringLiteral("polyline")), 2);
        QCOMPARE(check.elements.at(QStringLiteral("circle")), 2); // the markers of the validation series
        QVERIFY(check.texts.contains(QStringLiteral("Loss <train & val>")));
        QVERIFY(check.texts.contains(QStringLiteral("#1 \"a\" train")));
        QVERIFY(svg.contains(QLatin1String("&lt;train &amp; val&gt;")));
        QVERIFY(svg.contains(QLatin1String("stroke-dasharray")));
        // Three finite training points: x,y pairs in the polyline.
        const int at = svg.indexOf(QLatin1String("<polyline points=\""));
        QVERIFY(at >= 0);
        const QString points = svg.mid(at + 18, svg.indexOf(QLatin1Char('"'), at + 18) - at - 18);
        QCOMPARE(points.split(QLatin1Char(' ')).size(), 3);
        // Embedded form for HTML: no XML declaration, still well-formed.
        const QString embedded = renderSvgLineChart(chart, true);
        QVERIFY(embedded.startsWith(QLatin1String("<svg")));
        QVERIFY(test::checkSvg(embedded.toUtf8()).wellFormed);
    }

    void emptyChart()
    {
        LineChart chart;
        chart.title = QStringLiteral("nothing");
        const QString svg = renderSvgLineChart(chart);
        const test::SvgCheck check = test::checkSvg(svg.toUtf8());
        QVERIFY2(check.wellFormed, qPrintable(check.error));
        QVERIFY(check.texts.contains(QStringLiteral("no data")));
        QCOMPARE(check.elements.count(QStringLiteral("polyline")), size_t(0));
    }

    void niceTicksAreRound()
    {
        QCOMPARE(niceTicks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
        const std::vector<double> ticks = niceTicks(1.93, 3.41, 6);
        QVERIFY(ticks.front() <= 1.93 && ticks.back() >= 3.41);
        for (double t : ticks)
            QVERIFY2(std::fabs(t * 10 - std::round(t * 10)) < 1e-9,
                     qPrintable(QString::number(t)));            // steps of 0.2 or 0.5
        const std::vector<double> flat = niceTicks(2.0, 2.0, 6); // one value: a range around it
        QVERIFY(flat.front() < 2.0 && flat.back() > 2.0);
        QVERIFY(niceTicks(std::nan(""), 1.0).empty());
    }
};

QTEST_APPLESS_MAIN(TestSvgChart)
#include "tst_svg_chart.moc"
