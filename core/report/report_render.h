#pragma once
// A report as Markdown (the chart as a separate SVG file beside it) and as one self-contained HTML
// page (the chart inlined, styles inline, no external resources): what a person attaches to a ticket.

#include <QString>

#include "report/report_data.h"
#include "report/svg_chart.h"

namespace ft {

// Training loss (solid) and validation loss (dashed, with markers) of every run against steps.
LineChart lossCurveChart(const ReportData& data);

QString renderReportMarkdown(const ReportData& data, const QString& chartFileName);
QString renderReportHtml(const ReportData& data, const QString& chartSvg);

// Files of a report in a folder.
struct ReportFiles {
    QString markdown; // <dir>/report.md
    QString html;     // <dir>/report.html
    QString chart;    // <dir>/loss-curves.svg
};

// Renders everything first, then creates `dir` if needed and writes each file atomically (temporary
// name, then rename), so a failure never leaves a half-written report; other files in `dir` are
// left alone.
ReportFiles writeReport(const ReportData& data, const QString& dir);

} // namespace ft
