#pragma once
// Icons that stay visible on the theme's background: the style's standard icons are drawn for a light
// one (Fusion's media "play" is a dark grey triangle, invisible on the dark theme's sidebar).

#include <QColor>
#include <QIcon>

namespace ft::ui {

// `icon` as it is when its drawn pixels stand out from `background` (their mean lightness differs by
// at least a third of the scale); otherwise the same shapes painted in `ink`.
QIcon readableIcon(const QIcon& icon, const QColor& background, const QColor& ink);

// The mean lightness (0..255) of the mostly opaque pixels of `icon` drawn at `size`; -1 when none.
int meanIconLightness(const QIcon& icon, int size);

} // namespace ft::ui
