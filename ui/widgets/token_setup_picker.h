#pragma once
// TokenSetupPicker: which model's tokenizer and which prompt template the Datasets page counts
// tokens with (the editor's counts and preview, the table's Tokens column). The model's tokenizer,
// config.json and chat template are read on a thread; a folder that cannot be used says why beside the
// choice. A model with its own chat template offers "model" first (chosen unless the user picked one).

#include <optional>

#include <QStringList>
#include <QWidget>

#include "models/token_counter.h"

class QComboBox;
class QLabel;
class QThreadPool;

namespace ft::ui {

class TokenSetupPicker : public QWidget {
    Q_OBJECT
public:
    TokenSetupPicker(QThreadPool* pool, QWidget* parent = nullptr);

    // The model folders offered (the first entry is always "no model").
    void setModels(const QStringList& folders);
    void chooseModel(const QString& folder);                                 // adds it when new, then loads it
    void setBrowseFolder(const QString& folder) { m_browseFolder = folder; } // where Model… opens
    const TokenSetup& setup() const { return m_setup; }
    bool isLoading() const { return m_loading; }

signals:
    void setupChanged(const TokenSetup& setup);
    void modelRead(const QString& folder); // a model's tokenizer was read: a model to remember

private:
    void load();
    PromptTemplate chosenTemplate() const; // "model" is the loaded model's, else a built-in
    void offerModelTemplate(const std::optional<PromptTemplate>& modelTemplate);
    QThreadPool* m_pool;
    TokenSetup m_setup;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_templateChosen = false;
    QString m_browseFolder; // the models folder; home when unset                 // the user picked a template
    std::optional<PromptTemplate> m_modelTemplate; // the loaded model's own chat template
    QComboBox* m_model;
    QComboBox* m_template;
    QLabel* m_status;
};

} // namespace ft::ui
