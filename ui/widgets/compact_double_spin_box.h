#pragma once
// A QDoubleSpinBox that shows a value without trailing zeros ("16", "0.05", "0.999") instead of
// "16.000000", keeping its decimals of precision for typing and stepping.

#include <QDoubleSpinBox>

namespace ft::ui {

class CompactDoubleSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    using QDoubleSpinBox::QDoubleSpinBox;

    QString textFromValue(double value) const override;
};

} // namespace ft::ui
