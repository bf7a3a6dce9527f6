#pragma once
// QCustomPlot draws on white with black axes whatever the application's palette: these give a plot
// the palette's colours (background, axes, ticks, labels, grid, legend), for the light and dark themes.

#include <QPalette>

class QCustomPlot;

namespace ft::ui {

// Background, every axis of every axis rect, the grid and the legend from `palette`.
void applyPaletteToPlot(QCustomPlot* plot, const QPalette& palette);

// Whether `palette` is a dark one (its base is darker than mid-grey).
bool isDarkPalette(const QPalette& palette);

} // namespace ft::ui
