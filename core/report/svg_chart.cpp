#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QXmlStreamWriter>

namespace ft {

QString chartColor(int index)
{
    static const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    return QLatin1String(palette[static_cast<size_t>(index) % (sizeof(palette) / sizeof(palette[0]))]);
}

std::vector<double> niceTicks(double low, double high, int count)
{
    if (!std::isfinite(low) || !std::isfinite(high))
        return {};
    if (high < low)
        std::swap(low, high);
    if (high - low < 1e-12) {
        const double pad = std::max(std::fabs(low) * 0.1, 0.5);
        low -= pad;
        high += pad;
    }
    const double rough = (high - low) / std::max(1, count);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = magnitude;
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        step = factor * magnitude;
        if (rough <= step)
            break;
    }
    std::vector<double> ticks;
    for (double v = std::floor(low / step) * step; v <= high + step * 0.5; v += step) {
        ticks.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
        if (ticks.size() > 50)
            break;
    }
    if (ticks.back() < high)
        ticks.push_back(ticks.back() + step);
    return ticks;
}

namespace {

QString fmt(double value) { return QString::number(value, 'f', 1); }

QString tickLabel(double value) { return QString::number(value, 'g', 6); }

} // namespace

QString renderSvgLineChart(const LineChart& chart, bool embedded)
{
    // Plot area inside margins: left for y tick labels, bottom for x, right for the legend.
    const double left = 64, top = 40, right = 190, bottom = 52;
    const double plotW = chart.width - left - right;
    const double plotH = chart.height - top - bottom;

    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin, yMin = xMin, yMax = -xMin;
    for (const ChartSeries& s : chart.series)
        for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                xMin = std::min(xMin, s.x[i]);
                xMax = std::max(xMax, s.x[i]);
                yMin = std::min(yMin, s.y[i]);
                yMax = std::max(yMax, s.y[i]);
            }
    const bool empty = !std::isfinite(xMin);
    if (empty) {
        xMin = 0;
        xMax = 1;
        yMin = 0;
        yMax = 1;
    }
    const std::vector<double> xTicks = niceTicks(xMin, xMax, 8);
    const std::vector<double> yTicks = niceTicks(yMin, yMax, 6);
    const double x0 = xTicks.front(), x1 = xTicks.back(), y0 = yTicks.front(), y1 = yTicks.back();
    auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * plotW; };
    auto py = [&](double y) { return top + plotH - (y - y0) / (y1 - y0) * plotH; };

    QString svg;
    QXmlStreamWriter w(&svg);
    w.setAutoFormatting(true);
    if (!embedded)
        w.writeStartDocument();
    w.writeStartElement(QStringLiteral("svg"));
    w.writeDefaultNamespace(QStringLiteral("http://www.w3.org/2000/svg"));
    w.writeAttribute(QStringLiteral("width"), QString::number(chart.width));
    w.writeAttribute(QStringLiteral("height"), QString::number(chart.height));
    w.writeAttribute(QStringLiteral("viewBox"), QStringLiteral("0 0 %1 %2").arg(chart.width).arg(chart.height));
    w.writeAttribute(QStringLiteral("font-family"), QStringLiteral("sans-serif"));
    w.writeAttribute(QStringLiteral("font-size"), QStringLiteral("12"));
    w.writeTextElement(QStringLiteral("title"), chart.title);

    auto rect = [&](double x, double y, double width, double height, const QString& fill, const QString& stroke) {
        w.writeEmptyElement(QStringLiteral("rect"));
        w.writeAttribute(QStringLiteral("x"), fmt(x));
        w.writeAttribute(QStringLiteral("y"), fmt(y));
        w.writeAttribute(QStringLiteral("width"), fmt(width));
        w.writeAttribute(QStringLiteral("height"), fmt(height));
        w.writeAttribute(QStringLiteral("fill"), fill);
        if (!stroke.isEmpty())
            w.writeAttribute(QStringLiteral("stroke"), stroke);
    };
    auto line = [&](double xa, double ya, double xb, double yb, const QString& stroke, const QString& dash = {}) {
        w.writeEmptyElement(QStringLiteral("line"));
        w.writeAttribute(QStringLiteral("x1"), fmt(xa));
        w.writeAttribute(QStringLiteral("y1"), fmt(ya));
        w.writeAttribute(QStringLiteral("x2"), fmt(xb));
        w.writeAttribute(QStringLiteral("y2"), fmt(yb));
        w.writeAttribute(QStringLiteral("stroke"), stroke);
        if (!dash.isEmpty())
            w.writeAttribute(QStringLiteral("stroke-dasharray"), dash);
    };
    auto text = [&](double x, double y, const QString& content, const QString& anchor, const QString& extra = {}) {
        w.writeStartElement(QStringLiteral("text"));
        w.writeAttribute(QStringLiteral("x"), fmt(x));
        w.writeAttribute(QStringLiteral("y"), fmt(y));
        w.writeAttribute(QStringLiteral("text-anchor"), anchor);
        if (!extra.isEmpty())
            w.writeAttribute(QStringLiteral("transform"), extra);
        w.writeCharacters(content);
        w.writeEndElement();
    };

    rect(0, 0, chart.width, chart.height, QStringLiteral("#ffffff"), {});
    rect(left, top, plotW, plotH, QStringLiteral("#fbfbfb"), QStringLiteral("#888888"));
    // Grid and ticks.
    for (double t : yTicks) {
        line(left, py(t), left + plotW, py(t), QStringLiteral("#e3e3e3"));
        text(left - 6, py(t) + 4, tickLabel(t), QStringLiteral("end"));
    }
    for (double t : xTicks) {
        line(px(t), top, px(t), top + plotH, QStringLiteral("#efefef"));
        text(px(t), top + plotH + 16, tickLabel(t), QStringLiteral("middle"));
    }
    text(left + plotW / 2, 22, chart.title, QStringLiteral("middle"));
    text(left + plotW / 2, chart.height - 12, chart.xLabel, QStringLiteral("middle"));
    text(16, top + plotH / 2, chart.yLabel, QStringLiteral("middle"),
         QStringLiteral("rotate(-90 16 %1)").arg(fmt(top + plotH / 2)));
    if (empty)
        text(left + plotW / 2, top + plotH / 2, QStringLiteral("no data"), QStringLiteral("middle"));

    // Series, then the legend.
    int legendRow = 0;
    for (const ChartSeries& s : chart.series) {
        QStringList points;
        for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
                points << QStringLiteral("%1,%2").arg(fmt(px(s.x[i])), fmt(py(s.y[i])));
        if (points.size() > 1) {
            w.writeEmptyElement(QStringLiteral("polyline"));
            w.writeAttribute(QStringLiteral("points"), points.join(QLatin1Char(' ')));
            w.writeAttribute(QStringLiteral("fill"), QStringLiteral("none"));
            w.writeAttribute(QStringLiteral("stroke"), s.color);
            w.writeAttribute(QStringLiteral("stroke-width"), QStringLiteral("1.8"));
            if (s.dashed)
                w.writeAttribute(QStringLiteral("stroke-dasharray"), QStringLiteral("6 4"));
        }
        if (s.markers || points.size() == 1)
            for (const QString& point : points) {
                w.writeEmptyElement(QStringLiteral("circle"));
                w.writeAttribute(QStringLiteral("cx"), point.section(QLatin1Char(','), 0, 0));
                w.writeAttribute(QStringLiteral("cy"), point.section(QLatin1Char(','), 1, 1));
                w.writeAttribute(QStringLiteral("r"), QStringLiteral("3"));
                w.writeAttribute(QStringLiteral("fill"), s.color);
            }
        const double ly = top + 10 + 18 * legendRow++;
        const double lx = left + plotW + 14;
        line(lx, ly, lx + 26, ly, s.color, s.dashed ? QStringLiteral("6 4") : QString());
        text(lx + 32, ly + 4, s.label, QStringLiteral("start"));
    }
    w.writeEndElement(); // svg
    if (!embedded)
        w.writeEndDocument();
    return embedded ? svg.trimmed() : svg;
}

} // namespace ft
