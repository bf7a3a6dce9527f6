#include "widgets/plot_tickers.h"

#include <algorithm>
#include <cmath>

namespace ft::ui {

QSharedPointer<QCPAxisTicker> wholeNumberTicker()
{
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples); // 1, 2, 5, 10, 20... apart, never 2.5
    return ticker;
}

int DistinctLabelTicker::digitsFor(double tick, double step)
{
    if (!(step > 0.0) || !std::isfinite(step))
        return 1;
    const double magnitude = tick != 0.0 ? std::floor(std::log10(std::abs(tick))) : std::floor(std::log10(step));
    // mantissa spacing = step / 10^magnitude; digits after the point to show it
    const double spacing = step / std::pow(10.0, magnitude);
    return std::clamp(static_cast<int>(std::ceil(-std::log10(spacing) - 1e-9)), 0, 6);
}

double DistinctLabelTicker::getTickStep(const QCPRange& range)
{
    m_step = QCPAxisTicker::getTickStep(range);
    return m_step;
}

QString DistinctLabelTicker::getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision)
{
    return QCPAxisTicker::getTickLabel(tick, locale, formatChar, std::max(precision, digitsFor(tick, m_step)));
}

} // namespace ft::ui
