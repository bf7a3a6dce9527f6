#pragma once
// A small SVG writer for line charts (QtCore only, so the command line can draw without QtGui): axes
// with rounded ticks, one polyline per series (solid or dashed, optional point markers), a legend and
// a title. The document is written with QXmlStreamWriter, so it is always well-formed XML with every
// label escaped.

#include <vector>

#include <QString>

namespace ft {

struct ChartSeries {
    QString label;
    std::vector<double> x; // ascending; NaN or infinite y values are skipped
    std::vector<double> y;
    QString color = QStringLiteral("#1f77b4");
    bool dashed = false;
    bool markers = false;
};

struct LineChart {
    QString title;
    QString xLabel;
    QString yLabel;
    std::vector<ChartSeries> series;
    int width = 820;
    int height = 440;
};

// The chart as a standalone SVG document (with an XML declaration unless `embedded`, for inlining
// in HTML). A chart without any finite point draws its axes and says "no data".
QString renderSvgLineChart(const LineChart& chart, bool embedded = false);

// "Nice" tick values covering [low, high]: about `count` steps of 1, 2 or 5 times a power of ten.
std::vector<double> niceTicks(double low, double high, int count = 6);

// Distinct colours for series (cycled).
QString chartColor(int index);

} // namespace ft
