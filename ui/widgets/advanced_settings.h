#pragma once
// AdvancedSettings: every TrainConfig setting the mode presets fill (and the rest), editable. One
// table of fields drives the widgets; values go in and out through TrainConfig's own JSON, so the
// form and the configuration file can never disagree. Each widget's objectName is its JSON key
// ("learning_rate", "lora_rank", ...; LoRA targets are "lora_target_q_proj", ...).

#include <QMap>
#include <QWidget>

#include "contract/train_config.h"

class QCheckBox;
class QFormLayout;

namespace ft::ui {

struct FieldSpec;

class AdvancedSettings : public QWidget {
    Q_OBJECT
public:
    explicit AdvancedSettings(QWidget* parent = nullptr);

    void setConfig(const TrainConfig& config); // fills every field without emitting changed()
    // `base` with every field of the form applied (model, files, template and mode come from `base`).
    // Throws ft::Error when a field holds something TrainConfig refuses.
    TrainConfig config(const TrainConfig& base) const;
    QWidget* field(const QString& key) const { return m_fields.value(key); }

signals:
    void changed();

private:
    void addField(QFormLayout* form, const FieldSpec& spec);
    void updateEnabled();
    QJsonValue value(const QString& key) const;
    void setValue(const QString& key, const QJsonValue& value);

    QMap<QString, QWidget*> m_fields;
    QMap<QString, QString> m_kinds;
    QMap<QString, QCheckBox*> m_targets;
    bool m_filling = false;
};

} // namespace ft::ui
