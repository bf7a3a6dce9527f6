// AdvancedSettings: every TrainConfig setting shown and edited; edits made with the keyboard and the
// mouse come back out in the configuration's JSON; the LoRA and top-layer fields are enabled only
// when they apply.

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include "common/error.h"
#include "ui_test_support.h"
#include "widgets/advanced_settings.h"

using namespace ft;
using namespace ft::ui;

namespace {

template <typename T> T* field(AdvancedSettings& form, const char* key)
{
    T* widget = qobject_cast<T*>(form.field(QLatin1String(key)));
    if (!widget)
        qFatal("no %s field", key);
    return widget;
}

void typeInto(QAbstractSpinBox* spin, const QString& text)
{
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, text);
    QTest::keyClick(spin, Qt::Key_Tab);
}

} // namespace

class TestAdvancedSettings : public QObject {
    Q_OBJECT
private slots:
    void showsEverySetting()
    {
        AdvancedSettings form;
        const QStringList elsewhere{QStringLiteral("model"), QStringLiteral("train_file"), QStringLiteral("val_file"),
                                    QStringLiteral("template"), QStringLiteral("mode")};
        for (const QString& key : TrainConfig().toJson().keys())
            if (!elsewhere.contains(key))
                QVERIFY2(form.field(key), qPrintable(key));
    }
    void roundTripsAConfiguration()
    {
        TrainConfig config;
        config.applyModePreset(QStringLiteral("qlora"));
        config.loraRank = 32;
        config.loraAlpha = 64;
        config.loraTargets = {QStringLiteral("q_proj"), QStringLiteral("v_proj")};
        config.learningRate = 3.5e-4;
        config.eps = 1e-7;
        config.schedule = QStringLiteral("linear");
        config.maxSteps = 250;
        config.gradAccumulation = 4;
        config.packing = false;
        config.earlyStoppingPatience = 3;
        config.seed = 7;
        config.gradientCheckpointing = true;
        config.checkpointLayers = 9;
        config.checkpointFraction = 0.35;
        config.processes = 2;
        AdvancedSettings form;
        form.setConfig(config);
        QCOMPARE(form.config(config).toJson(), config.toJson());
    }
    // Number fields show their value as a person writes it ("16", "0.05"), not "16.000000"; what is
    // typed still comes back exactly.
    void numbersWithoutTrailingZeros()
    {
        TrainConfig config;
        config.applyModePreset(QStringLiteral("instruction")); // the LoRA fields are enabled
        config.loraAlpha = 16;
        config.loraDropout = 0.05;
        config.beta2 = 0.999;
        config.earlyStoppingMinDelta = 0.000125;
        AdvancedSettings form;
        form.setConfig(config);
        QCOMPARE(field<QDoubleSpinBox>(form, "lora_alpha")->text(), QStringLiteral("16"));
        QCOMPARE(field<QDoubleSpinBox>(form, "lora_dropout")->text(), QStringLiteral("0.05"));
        QCOMPARE(field<QDoubleSpinBox>(form, "beta2")->text(), QStringLiteral("0.999"));
        QCOMPARE(field<QDoubleSpinBox>(form, "early_stopping_min_delta")->text(), QStringLiteral("0.000125"));
        typeInto(field<QDoubleSpinBox>(form, "lora_alpha"), QStringLiteral("32.5"));
        QCOMPARE(form.config(config).loraAlpha, 32.5);
        QCOMPARE(field<QDoubleSpinBox>(form, "lora_alpha")->text(), QStringLiteral("32.5"));
    }
    void editsReachTheJson()
    {
        AdvancedSettings form;
        form.show();
        QVERIFY(QTest::qWaitForWindowExposed(&form));
        TrainConfig base;
        base.applyModePreset(QStringLiteral("full"));
        form.setConfig(base);
        QSignalSpy changed(&form, &AdvancedSettings::changed);

        typeInto(field<QSpinBox>(form, "max_steps"), QStringLiteral("120"));
        typeInto(field<QSpinBox>(form, "batch_size"), QStringLiteral("6"));
        typeInto(field<QSpinBox>(form, "processes"), QStringLiteral("2"));
        typeInto(field<QDoubleSpinBox>(form, "weight_decay"), QStringLiteral("0.01"));
        QLineEdit* lr = field<QLineEdit>(form, "learning_rate");
        lr->setFocus();
        lr->selectAll();
        QTest::keyClicks(lr, QStringLiteral("3e-4"));
        // The checkpointing rows wait for gradient checkpointing to be on.
        QVERIFY(!field<QSpinBox>(form, "checkpoint_layers")->isEnabled());
        QVERIFY(!field<QDoubleSpinBox>(form, "checkpoint_fraction")->isEnabled());
        clickIndicator(field<QCheckBox>(form, "gradient_checkpointing"));
        QVERIFY(field<QDoubleSpinBox>(form, "checkpoint_fraction")->isEnabled());
        typeInto(field<QSpinBox>(form, "checkpoint_layers"), QStringLiteral("12"));
        typeInto(field<QDoubleSpinBox>(form, "checkpoint_fraction"), QStringLiteral("0.75"));
        QComboBox* schedule = field<QComboBox>(form, "schedule");
        schedule->setFocus();
        QTest::keyClick(schedule, Qt::Key_Up); // cosine -> linear
        QVERIFY(changed.size() >= 6);

        const QJsonObject json = form.config(base).toJson();
        QCOMPARE(json.value(QStringLiteral("max_steps")).toInt(), 120);
        QCOMPARE(json.value(QStringLiteral("batch_size")).toInt(), 6);
        QCOMPARE(json.value(QStringLiteral("processes")).toInt(), 2);
        QCOMPARE(json.value(QStringLiteral("weight_decay")).toDouble(), 0.01);
        QCOMPARE(json.value(QStringLiteral("learning_rate")).toDouble(), 3e-4);
        QCOMPARE(json.value(QStringLiteral("gradient_checkpointing")).toBool(), true);
        QCOMPARE(json.value(QStringLiteral("checkpoint_layers")).toInt(), 12);
        QCOMPARE(json.value(QStringLiteral("checkpoint_fraction")).toDouble(), 0.75);
        QCOMPARE(json.value(QStringLiteral("schedule")).toString(), QStringLiteral("linear"));
        QCOMPARE(json.value(QStringLiteral("mode")).toString(), QStringLiteral("full"));
    }
    void loraFieldsOnlyForLora()
    {
        AdvancedSettings form;
        TrainConfig config;
        config.applyModePreset(QStringLiteral("full"));
        form.setConfig(config);
        QVERIFY(!form.field(QStringLiteral("lora_rank"))->isEnabled());
        QVERIFY(!form.field(QStringLiteral("lora_targets"))->isEnabled());
        QVERIFY(!form.field(QStringLiteral("train_top_layers"))->isEnabled());
        config.applyModePreset(QStringLiteral("qlora"));
        form.setConfig(config);
        QVERIFY(form.field(QStringLiteral("lora_rank"))->isEnabled());
        QVERIFY(form.field(QStringLiteral("double_quant"))->isEnabled());
        QCOMPARE(field<QComboBox>(form, "base_quantization")->currentText(), QStringLiteral("nf4"));
        // Unticking targets reaches the configuration.
        clickIndicator(form.findChild<QCheckBox*>(QStringLiteral("lora_target_down_proj")));
        QVERIFY(!form.config(config).loraTargets.contains(QStringLiteral("down_proj")));
        QCOMPARE(form.config(config).loraTargets.size(), 6);
        field<QComboBox>(form, "trainable")->setCurrentText(QStringLiteral("top-layers"));
        QVERIFY(form.field(QStringLiteral("train_top_layers"))->isEnabled());
        QVERIFY(!form.field(QStringLiteral("lora_rank"))->isEnabled());
    }
    void dpoLossFields()
    {
        AdvancedSettings form;
        TrainConfig config;
        form.setConfig(config);
        QVERIFY(!form.field(QStringLiteral("dpo_loss"))->isEnabled());
        QVERIFY(!form.field(QStringLiteral("dpo_label_smoothing"))->isEnabled());
        config.applyModePreset(QStringLiteral("dpo"));
        form.setConfig(config);
        QVERIFY(form.field(QStringLiteral("dpo_loss"))->isEnabled());
        QVERIFY(form.field(QStringLiteral("dpo_label_smoothing"))->isEnabled()); // the sigmoid loss takes it
        field<QDoubleSpinBox>(form, "dpo_label_smoothing")->setValue(0.1);
        QCOMPARE(form.config(config).dpoLabelSmoothing, 0.1);
        field<QDoubleSpinBox>(form, "dpo_label_smoothing")->setValue(0.0);
        field<QComboBox>(form, "dpo_loss")->setCurrentText(QStringLiteral("ipo"));
        QVERIFY(!form.field(QStringLiteral("dpo_label_smoothing"))->isEnabled()); // not IPO's
        QCOMPARE(form.config(config).dpoLoss, QStringLiteral("ipo"));
    }
    void promptTuningFields()
    {
        AdvancedSettings form;
        TrainConfig config;
        form.setConfig(config);
        QVERIFY(!form.field(QStringLiteral("num_virtual_tokens"))->isEnabled());
        QVERIFY(!form.field(QStringLiteral("prompt_tuning_init_text"))->isEnabled());
        config.applyModePreset(QStringLiteral("prompt"));
        form.setConfig(config);
        QCOMPARE(field<QComboBox>(form, "trainable")->currentText(), QStringLiteral("prompt"));
        QVERIFY(form.field(QStringLiteral("num_virtual_tokens"))->isEnabled());
        QVERIFY(!form.field(QStringLiteral("lora_rank"))->isEnabled());
        QVERIFY(form.field(QStringLiteral("base_quantization"))->isEnabled()); // the base is frozen
        // The start text is for "text" only, and reaches the configuration as text.
        QVERIFY(!form.field(QStringLiteral("prompt_tuning_init_text"))->isEnabled());
        field<QComboBox>(form, "prompt_tuning_init")->setCurrentText(QStringLiteral("text"));
        QVERIFY(form.field(QStringLiteral("prompt_tuning_init_text"))->isEnabled());
        field<QLineEdit>(form, "prompt_tuning_init_text")->setText(QStringLiteral("Classify the review: 1.5"));
        field<QSpinBox>(form, "num_virtual_tokens")->setValue(12);
        const TrainConfig read = form.config(config);
        QCOMPARE(read.promptTuningInit, QStringLiteral("text"));
        QCOMPARE(read.promptTuningInitText, QStringLiteral("Classify the review: 1.5"));
        QCOMPARE(read.numVirtualTokens, int64_t(12));
        QCOMPARE(read.trainable, QStringLiteral("prompt"));
        // And back into a fresh form unchanged.
        AdvancedSettings again;
        again.setConfig(read);
        QCOMPARE(field<QLineEdit>(again, "prompt_tuning_init_text")->text(),
                 QStringLiteral("Classify the review: 1.5"));
    }
    void refusesANumberItCannotRead()
    {
        AdvancedSettings form;
        field<QLineEdit>(form, "learning_rate")->setText(QStringLiteral("fast"));
        try {
            form.config(TrainConfig());
            QFAIL("an unreadable learning rate was accepted");
        } catch (const Error& error) {
            QVERIFY(error.message().contains(QStringLiteral("learning_rate")));
        }
    }
};

QTEST_MAIN(TestAdvancedSettings)
#include "tst_advanced_settings.moc"
