#pragma once
// The Train page: base model, the data (a workspace dataset with its training and validation
// splits, or JSONL files: DataSourcePicker), template, the three modes, every setting underneath
// them, the memory/time estimate for this machine, and Launch (which prepares a run folder with
// config.json and queues it; a dataset's splits are frozen into it by the worker).

#include <optional>

#include <QWidget>

#include "contract/train_config.h"
#include "data/prompt_template.h"
#include "runs/resource_estimate.h"
#include "runs/run_data.h"
#include "runs/training_data_measure.h"
#include "store/dataset_store.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;
class QTimer;
class QToolButton;

namespace ft {
class CliTask;
class RunQueue;
} // namespace ft

namespace ft::ui {

class AdvancedSettings;
class AppSettings;
class DataSourcePicker;
class ModeSelector;
class ModelPicker;
class SweepDialog;

class TrainPage : public QWidget {
    Q_OBJECT
public:
    TrainPage(AppSettings* settings, RunQueue* queue, QWidget* parent = nullptr);

    // The configuration the form describes (throws ft::Error for a field TrainConfig refuses).
    TrainConfig currentConfig() const;
    // Fills the form from `config` (e.g. a run's settings cloned).
    void setConfig(const TrainConfig& config);

    void setTrainFile(const QString& path);
    // The settings' thread count changed: new runs use it (unless the form was set to another value).
    void setDefaultThreads(int previous, int threads);
    void setValFile(const QString& path);
    // The open workspace's database (empty: none), whose datasets the data choice lists.
    void setWorkspaceDatabase(const QString& databasePath);
    void refreshDatasets();            // the datasets changed (a moment later, read again)
    void useDataset(qint64 datasetId); // choose this workspace dataset as the data
    DataSourcePicker* dataSource() const { return m_data; }
    void chooseMode(const QString& mode);         // as if the user clicked it
    QString problem() const { return m_problem; } // why Launch is disabled; empty when it is not
    bool canLaunch() const;
    const ResourceEstimate& estimate() const { return m_estimate; }
    ModelPicker* modelPicker() const { return m_modelPicker; }
    AdvancedSettings* advancedSettings() const { return m_advanced; }

    // Runs `bench sgemm` once to learn this machine's throughput (cached in the settings).
    void measureThroughput();

    // The sweep dialog (hidden until Sweep…): the same settings and data, with values to try.
    SweepDialog* sweepDialog() const { return m_sweep; }

public slots:
    // Prepares <workspace>/runs/<date>-<name>/config.json and queues the run; returns its job id (0 on error).
    int launch();
    // Opens the sweep dialog over the form's settings and data (a running sweep is shown as it is).
    void openSweep();

signals:
    void launched(int jobId);
    void statusMessage(const QString& text);

private:
    static constexpr const char* kLastSettingsKey = "train/lastSettings";
    TrainConfig rememberedSettings() const;             // the last launch's settings, else the mode's preset
    // The form's configuration and data, checked as Launch and Sweep… need them; throws ft::Error saying
    // what is missing or wrong.
    TrainConfig checkedLaunchConfig(RunData* data);
    void rememberSettings(const TrainConfig& launched); // at each launch
    QWidget* buildModelSection();
    QWidget* buildDataSection();
    QWidget* buildTemplateSection();
    QWidget* buildEstimateSection();
    QString templateText() const;
    void onTemplateChanged();
    void updatePreview();
    void scheduleUpdate();
    void scheduleMeasure();
    void validateNow();
    void updateEstimate();
    void updateLaunchText();
    // Offers "model" (the folder's own chat template) when the chosen model has one, and picks it unless the
    // user chose a template; withdraws it (back to alpaca) when the model has none.
    void offerModelTemplate();
    // "mode · model · dataset vN" (or the training file's name): a run launched without a name.
    static QString defaultRunName(const TrainConfig& config, const std::optional<DatasetInfo>& dataset);

    AppSettings* m_settings;
    RunQueue* m_queue;
    SweepDialog* m_sweep = nullptr;
    QPushButton* m_sweepButton = nullptr;
    ModelPicker* m_modelPicker = nullptr;
    DataSourcePicker* m_data = nullptr;
    QComboBox* m_template = nullptr;
    QPlainTextEdit* m_customTemplate = nullptr;
    QLabel* m_templateStatus = nullptr;
    QTextBrowser* m_preview = nullptr;
    ModeSelector* m_modes = nullptr;
    QToolButton* m_advancedToggle = nullptr;
    AdvancedSettings* m_advanced = nullptr;
    QLabel* m_estimateText = nullptr;
    QLabel* m_estimateWarning = nullptr;
    QPushButton* m_measureButton = nullptr;
    QLineEdit* m_runName = nullptr;
    QLabel* m_problemLabel = nullptr;
    QPushButton* m_launch = nullptr;
    QTimer* m_updateTimer = nullptr;
    QTimer* m_measureTimer = nullptr;
    CliTask* m_bench = nullptr;

    QString m_mode = QStringLiteral("full");
    QString m_problem;
    bool m_templateValid = true;
    std::optional<PromptTemplate> m_format; // the chosen template, read by onTemplateChanged
    bool m_templateChosen = false; // the user picked a template (a new model's own template does not replace it)
    ResourceEstimate m_estimate;
    TrainingDataMeasure m_measure;
    QString m_measureKey;   // what m_measure was measured for
    QString m_measuringKey; // what is being measured now
    int m_measureGeneration = 0;
};

} // namespace ft::ui
