#pragma once
// DatasetStatsPanel: statistics of the current dataset under the chosen tokenizer and template
// (computeStatistics: examples, multi-turn, tags, prompt/response/combined token lengths) and the
// histogram of combined lengths (QCustomPlot bars) with the context length drawn as a cut-off line
// and how many examples lie beyond it. Computed on a thread with progress and cancel, when asked
// (Compute), since it tokenizes the whole dataset.

#include <memory>

#include <QWidget>

#include "models/token_counter.h"

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace ft::ui {

class DatasetSession;
struct TaskControl;

class DatasetStatsPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetStatsPanel(DatasetSession* session, QWidget* parent = nullptr);
    ~DatasetStatsPanel() override;

    void setDataset(qint64 datasetId); // clears what was shown
    void setTokenSetup(const TokenSetup& setup);
    void compute();
    bool isComputing() const { return m_control != nullptr; }
    int barCount() const;                      // bins drawn (tests)
    double cutOff() const { return m_cutOff; } // where the line is drawn; 0: none

signals:
    void computed();

protected:
    void changeEvent(QEvent* event) override; // the theme's palette for the plot

private:
    void clear(const QString& message);
    void updateButton();

    DatasetSession* m_session;
    qint64 m_datasetId = 0;
    TokenSetup m_setup;
    std::shared_ptr<TaskControl> m_control;
    double m_cutOff = 0;
    QTimer* m_progressTimer;
    QPushButton* m_compute;
    QProgressBar* m_progress;
    QLabel* m_summary;
    QCustomPlot* m_plot;
};

} // namespace ft::ui
