#include "widgets/readable_icon.h"

#include <cstdlib>

#include <QImage>
#include <QPainter>
#include <QPixmap>

namespace ft::ui {

int meanIconLightness(const QIcon& icon, int size)
{
    const QImage image = icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
    qint64 sum = 0;
    qint64 count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = QColor::fromRgba(image.pixel(x, y));
            if (pixel.alpha() < 128)
                continue;
            sum += pixel.lightness();
            ++count;
        }
    return count > 0 ? static_cast<int>(sum / count) : -1;
}

QIcon readableIcon(const QIcon& icon, const QColor& background, const QColor& ink)
{
    const int lightness = meanIconLightness(icon, 32);
    if (lightness < 0 || std::abs(lightness - background.lightness()) >= 85)
        return icon;
    QIcon tinted;
    for (const int size : {16, 24, 32, 48}) {
        QPixmap pixmap = icon.pixmap(size, size);
        QPainter painter(&pixmap);
        painter.setCompositionMode(QPainter::CompositionMode_SourceIn); // keep the shape, change the colour
        painter.fillRect(pixmap.rect(), ink);
        painter.end();
        tinted.addPixmap(pixmap);
    }
    return tinted;
}

} // namespace ft::ui
