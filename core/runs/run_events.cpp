#include "runs/run_events.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace ft {

namespace {

// Field readers: a missing field gives the fallback; a present field of the wrong type is an error.
class Fields {
public:
    explicit Fields(const QJsonObject& object)
        : m_object(object)
    {
    }

    QString error() const { return m_error; }

    double number(const char* key, double fallback = kNoValue)
    {
        const QJsonValue value = m_object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return fallback; // JSON has no NaN: a worker writes null for it
        if (!value.isDouble()) {
            fail(key, "a number");
            return fallback;
        }
        return value.toDouble();
    }

    qint64 integer(const char* key, qint64 fallback = 0)
    {
        const QJsonValue value = m_object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return fallback;
        const double d = value.toDouble(kNoValue);
        // 2^53: beyond it a double no longer holds every integer.
        if (!value.isDouble() || !std::isfinite(d) || std::abs(d) > 9007199254740992.0 || d != std::floor(d)) {
            fail(key, "an integer");
            return fallback;
        }
        return static_cast<qint64>(d);
    }

    bool boolean(const char* key)
    {
        const QJsonValue value = m_object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return false;
        if (!value.isBool()) {
            fail(key, "true or false");
            return false;
        }
        return value.toBool();
    }

    QString text(const char* key)
    {
        const QJsonValue value = m_object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return {};
        if (!value.isString()) {
            fail(key, "a string");
            return {};
        }
        QString s = value.toString();
        if (s.size() > kMaxEventTextChars) {
            s.truncate(kMaxEventTextChars);
            s += QStringLiteral(" [... cut]");
        }
        return s;
    }

    QJsonObject object(const char* key)
    {
        const QJsonValue value = m_object.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            return {};
        if (!value.isObject()) {
            fail(key, "an object");
            return {};
        }
        return value.toObject();
    }

private:
    void fail(const char* key, const char* expected)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("\"%1\" is not %2").arg(QLatin1String(key), QLatin1String(expected));
    }

    QJsonObject m_object;
    QString m_error;
};

QString preview(const QByteArray& line)
{
    QString text = QString::fromUtf8(line.left(80)).simplified();
    if (line.size() > 80)
        text += QStringLiteral("...");
    return text;
}

} // namespace

bool isFinalRunStatus(const QString& status)
{
    return status == QLatin1String("finished") || status == QLatin1String("stopped") ||
           status == QLatin1String("diverged") || status == QLatin1String("failed") ||
           status == QLatin1String("interrupted");
}

std::optional<WorkerEvent> parseWorkerEvent(const QByteArray& line, QString* error)
{
    auto reject = [&](const QString& why) -> std::optional<WorkerEvent> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return reject(QStringLiteral("not JSON (%1 at byte %2): %3")
                          .arg(parseError.errorString())
                          .arg(parseError.offset)
                          .arg(preview(line)));
    if (!document.isObject())
        return reject(QStringLiteral("not a JSON object: %1").arg(preview(line)));
    const QJsonObject object = document.object();
    Fields f(object);
    const QString name = f.text("event");
    if (name.isEmpty())
        return reject(QStringLiteral("no \"event\" name: %1").arg(preview(line)));

    std::optional<WorkerEvent> event;
    if (name == QLatin1String("started")) {
        RunStartInfo s;
        s.runDir = f.text("run_dir");
        s.config = f.object("config");
        Fields parameters(f.object("parameters"));
        s.totalParameters = parameters.integer("total");
        s.trainableParameters = parameters.integer("trainable");
        s.trainExamples = f.integer("train_examples");
        s.valExamples = f.integer("val_examples");
        s.truncatedExamples = f.integer("truncated_examples");
        s.tokensPerEpoch = f.integer("tokens_per_epoch");
        s.totalSteps = f.integer("total_steps");
        s.resumedFromStep = f.integer("resumed_from_step", -1);
        if (!parameters.error().isEmpty())
            return reject(QStringLiteral("started: parameters: %1").arg(parameters.error()));
        event = s;
    } else if (name == QLatin1String("step")) {
        StepPoint p;
        p.step = f.integer("step", -1);
        p.totalSteps = f.integer("total_steps");
        p.epoch = f.number("epoch", 0.0);
        p.loss = f.number("loss");
        p.learningRate = f.number("lr");
        p.gradNorm = f.number("grad_norm");
        p.tokens = f.integer("tokens");
        p.tokensPerSecond = f.number("tokens_per_second");
        p.elapsed = f.number("elapsed", 0.0);
        p.eta = f.number("eta");
        if (p.step < 0 && f.error().isEmpty())
            return reject(QStringLiteral("step: no step number"));
        event = p;
    } else if (name == QLatin1String("eval")) {
        EvalPoint e;
        e.step = f.integer("step");
        e.valLoss = f.number("val_loss");
        e.perplexity = f.number("perplexity");
        e.bestValLoss = f.number("best_val_loss");
        e.isBest = f.boolean("is_best");
        event = e;
    } else if (name == QLatin1String("sample")) {
        SamplePoint s;
        s.step = f.integer("step");
        s.prompt = f.text("prompt");
        s.reference = f.text("reference");
        s.text = f.text("text");
        event = s;
    } else if (name == QLatin1String("checkpoint")) {
        CheckpointPoint c;
        c.step = f.integer("step");
        c.path = f.text("path");
        c.best = f.boolean("best");
        c.valLoss = f.number("val_loss");
        event = c;
    } else if (name == QLatin1String("log")) {
        LogEvent l;
        l.level = f.text("level");
        l.message = f.text("message");
        if (l.level.isEmpty())
            l.level = QStringLiteral("info");
        event = l;
    } else if (name == QLatin1String("paused") || name == QLatin1String("resumed")) {
        event = PausedEvent{name == QLatin1String("paused")};
    } else if (isFinalRunStatus(name) && name != QLatin1String("interrupted")) {
        RunEndInfo end;
        end.status = name;
        end.message = f.text("message");
        end.step = f.integer("step", -1);
        end.tokens = f.integer("tokens");
        end.exportPath = f.text("export");
        end.bestValLoss = f.number("best_val_loss");
        end.reportedByWorker = true;
        event = end;
    } else {
        return reject(QStringLiteral("unknown event \"%1\"").arg(name.left(40)));
    }
    if (!f.error().isEmpty())
        return reject(QStringLiteral("%1: %2").arg(name, f.error()));
    return event;
}

LineSplitter::LineSplitter(qsizetype maxLineBytes)
    : m_maxLineBytes(std::max<qsizetype>(16, maxLineBytes))
{
}

QList<QByteArray> LineSplitter::feed(const QByteArray& bytes)
{
    QList<QByteArray> lines;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', from);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        if (!m_skipping) {
            if (m_pending.size() + (end - from) > m_maxLineBytes) {
                // Over-long: drop what we have and everything up to the next newline.
                m_pending.clear();
                m_skipping = true;
                ++m_dropped;
            } else {
                m_pending.append(bytes.constData() + from, end - from);
            }
        }
        if (newline < 0)
            break;
        if (!m_skipping) {
            if (m_pending.endsWith('\r'))
                m_pending.chop(1);
            if (!m_pending.trimmed().isEmpty())
                lines.append(m_pending);
        }
        m_pending.clear();
        m_skipping = false;
        from = newline + 1;
    }
    return lines;
}

QByteArray LineSplitter::takeRest()
{
    QByteArray rest = m_skipping ? QByteArray() : m_pending;
    m_pending.clear();
    m_skipping = false;
    return rest.trimmed();
}

} // namespace ft
