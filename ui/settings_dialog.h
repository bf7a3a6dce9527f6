#pragma once
// Settings: compute threads, runs at once, default folders, theme. Applied when accepted.

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ft::ui {

class AppSettings;

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(AppSettings* settings, QWidget* parent = nullptr);
    void apply(); // writes the fields to the settings (and the theme to the application)

private:
    AppSettings* m_settings;
    QSpinBox* m_threads;
    QSpinBox* m_concurrent;
    QLineEdit* m_modelsFolder;
    QLineEdit* m_dataFolder;
    QComboBox* m_theme;
};

} // namespace ft::ui
