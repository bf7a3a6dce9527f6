#pragma once
// ModelPicker: the base model of a run. A combo box of the models used before, a folder chooser, and
// what the chosen folder holds (architecture, parameters, context length, tokenizer), read by
// ModelFolder::inspect on a worker thread: it reads files, and the GUI thread never waits for disk.
// A result for a folder the user has already replaced is dropped (generation counter).

#include <optional>

#include <QWidget>

#include "modelio/model_folder.h"

class QComboBox;
class QLabel;
class QToolButton;

namespace ft::ui {

class AppSettings;

class ModelPicker : public QWidget {
    Q_OBJECT
public:
    explicit ModelPicker(AppSettings* settings, QWidget* parent = nullptr);

    void setModelPath(const QString& path); // starts reading it; modelInspected() follows
    QString modelPath() const { return m_path; }
    bool isInspecting() const { return m_inspecting; }
    bool hasModel() const { return m_folder.has_value(); } // the current path was read successfully
    const ModelFolder* folder() const { return m_folder ? &*m_folder : nullptr; }
    bool hasChatTemplate() const { return m_folder && m_chatTemplate; } // the folder ships its own
    QString error() const { return m_error; }
    void refreshKnownModels(); // after the settings' list changed

    static QString describe(const ModelFolder& folder, bool chatTemplate = false);

signals:
    void modelChosen(const QString& path);             // reading it starts
    void modelInspected(const QString& path, bool ok); // reading it ended

private:
    void browse();
    void onActivated(int index);

    bool m_chatTemplate = false;
    AppSettings* m_settings;
    QComboBox* m_combo;
    QToolButton* m_browse;
    QLabel* m_info;
    QString m_path;
    std::optional<ModelFolder> m_folder;
    QString m_error;
    bool m_inspecting = false;
    int m_generation = 0;
};

} // namespace ft::ui
