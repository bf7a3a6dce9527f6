#pragma once
// Small formatting helpers shared by the pages.

#include <cmath>

#include <QString>

namespace ft::ui {

// 1234 -> "1.2K", 15200000 -> "15.2M", 1100000000 -> "1.1B".
inline QString formatCount(double n)
{
    if (!std::isfinite(n))
        return QStringLiteral("?");
    const char* suffix[] = {"", "K", "M", "B", "T"};
    int unit = 0;
    while (std::abs(n) >= 1000.0 && unit < 4) {
        n /= 1000.0;
        ++unit;
    }
    return unit == 0 ? QString::number(static_cast<qint64>(n))
                     : QStringLiteral("%1%2").arg(n, 0, 'f', n < 10 ? 2 : 1).arg(QLatin1String(suffix[unit]));
}

// Seconds as h:mm:ss or m:ss.
inline QString formatClock(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("?");
    const auto s = static_cast<qint64>(std::llround(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// A model folder's name for lists: "stories260K/hf" rather than a bare "hf" or "model".
inline QString modelDisplayName(const QString& path)
{
    const QStringList parts =
        QString(path).replace(QLatin1Char('\\'), QLatin1Char('/')).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (parts.isEmpty())
        return path;
    const QString& last = parts.constLast();
    const bool generic = last.size() <= 3 || last == QLatin1String("model") || last == QLatin1String("export");
    return generic && parts.size() >= 2 ? parts.at(parts.size() - 2) + QLatin1Char('/') + last : last;
}

inline QString formatLoss(double loss)
{
    return std::isfinite(loss) ? QString::number(loss, 'f', 4) : QStringLiteral("–");
}

} // namespace ft::ui
