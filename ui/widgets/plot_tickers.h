#pragma once
// Axis tickers for the training plot. QCustomPlot's default ticker puts ticks at 2.5 or 7.5 on a step axis,
// and formats every tick of a narrow range (a learning rate between 1.9·10⁻⁴ and 2.0·10⁻⁴) with the same
// fixed precision, so that three ticks read "2·10⁻⁴" alike.

#include <qcustomplot.h>

namespace ft::ui {

// Ticks on whole numbers only (steps, tokens), at 1, 2, 5 × 10ⁿ apart.
QSharedPointer<QCPAxisTicker> wholeNumberTicker();

// Ticks labelled with as many digits as their spacing needs, so that neighbouring labels differ.
class DistinctLabelTicker : public QCPAxisTicker {
public:
    // The mantissa digits that tell `tick` from its neighbours `step` away, in scientific notation.
    static int digitsFor(double tick, double step);

protected:
    double getTickStep(const QCPRange& range) override;
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;

private:
    double m_step = 0.0;
};

} // namespace ft::ui
