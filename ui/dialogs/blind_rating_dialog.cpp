#include "dialogs/blind_rating_dialog.h"

#include <algorithm>
#include <map>
#include <set>

#include <QAction>
#include <QCryptographicHash>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "common/error.h"
#include "dialogs/examples_dialog.h"
#include "dialogs/save_conversation_dialog.h"
#include "models/dataset_session.h"
#include "runs/paired_generation.h"
#include "runs/store_thread.h"
#include "store/database.h"
#include "store/evaluation_compare.h"
#include "store/run_store.h"
#include "store/workspace.h"
#include "undo/example_commands.h"

namespace ft::ui {

namespace {

RatingSubject subjectOf(const ComparisonColumn& column)
{
    const StoredEvaluation& e = column.evaluation;
    if (e.kind == EvaluationKind::Base)
        return {QStringLiteral("base:") + e.modelId, column.label, 0};
    return {QStringLiteral("run:%1:%2").arg(e.runId).arg(e.checkpoint), column.label, e.runId};
}

// What a side answers a typed prompt with: the evaluated model under the evaluation's settings, so that
// typed prompts are answered as the evaluated examples were.
GenerationRequest askRequest(const StoredEvaluation& e, const Workspace& workspace)
{
    GenerationRequest request;
    if (e.kind == EvaluationKind::Base) {
        request.model = e.modelPath;
    } else {
        const std::optional<RunInfo> run = RunStore(workspace.database(), workspace.path()).run(e.runId);
        if (run)
            request.model = run->runDir;
        request.checkpoint = e.checkpoint;
    }
    const QString promptTemplate = e.settings.value(QStringLiteral("template")).toString();
    request.promptTemplate = promptTemplate.isEmpty() ? QStringLiteral("auto") : promptTemplate;
    const QJsonObject generation = e.settings.value(QStringLiteral("generation")).toObject();
    // An evaluation's generation is stored with it; its defaults (greedy, 128 tokens) where it is absent.
    request.greedy = generation.value(QStringLiteral("greedy")).toBool(true);
    request.maxTokens = generation.value(QStringLiteral("max_new_tokens")).toInt(128);
    if (!request.greedy) {
        request.temperature = generation.value(QStringLiteral("temperature")).toDouble(request.temperature);
        request.topP = generation.value(QStringLiteral("top_p")).toDouble(request.topP);
        request.topK = generation.value(QStringLiteral("top_k")).toInt(request.topK);
        request.seed = static_cast<quint64>(generation.value(QStringLiteral("seed")).toInteger(0));
    }
    return request;
}

} // namespace

QString typedPromptKey(const QString& prompt)
{
    const QByteArray hash = QCryptographicHash::hash(prompt.toUtf8(), QCryptographicHash::Sha256).toHex();
    return QStringLiteral("typed:") + QString::fromLatin1(hash.left(16));
}

bool isTypedPromptKey(const QString& key) { return key.startsWith(QLatin1String("typed:")); }

RatingSession loadRatingSession(const QString& workspacePath, const QList<qint64>& runIds)
{
    if (runIds.size() != 1 && runIds.size() != 2)
        throw Error(QStringLiteral("choose one run (rated against its base model) or two runs"));
    std::vector<ComparisonColumn> columns = loadExampleColumns(workspacePath, runIds);
    ComparisonColumn a;
    ComparisonColumn b;
    if (runIds.size() == 1) {
        if (columns.size() != 2)
            throw Error(QStringLiteral("the run's evaluation has no matching base-model evaluation: evaluate the run "
                                       "against its base first (Evaluate…)"));
        a = std::move(columns[1]);
        b = std::move(columns[0]);
    } else {
        a = std::move(columns[columns.size() - 2]);
        b = std::move(columns[columns.size() - 1]);
    }
    RatingSession session;
    session.a = subjectOf(a);
    session.b = subjectOf(b);
    const Comparison comparison = compareEvaluations({a, b}, QStringLiteral("rouge-l"), ComparisonSort::Index);

    const Workspace workspace = Workspace::open(workspacePath);
    session.askA = askRequest(a.evaluation, workspace);
    session.askB = askRequest(b.evaluation, workspace);
    std::map<QString, Rating> stored;
    for (Rating& r : RatingStore(workspace.database()).ratings(session.a.id, session.b.id))
        stored[r.exampleKey] = std::move(r);
    std::set<QString> seen;
    for (const ComparisonRow& row : comparison.rows) {
        if (!row.outputs[0] || !row.outputs[1] || !seen.insert(row.key).second)
            continue; // an example one side lacks, or a repeated record (rated once)
        RatingSession::Item item;
        item.key = row.key;
        item.prompt = row.prompt;
        item.reference = row.reference;
        item.answerA = row.outputs[0]->output;
        item.answerB = row.outputs[1]->output;
        // A stored verdict counts only for the answers it judged (an evaluation run again has new ones).
        if (const auto found = stored.find(row.key);
            found != stored.end() && found->second.answerA == item.answerA && found->second.answerB == item.answerB) {
            item.verdict = found->second.verdict;
            item.comment = found->second.comment;
        }
        session.items.push_back(std::move(item));
    }
    // Prompts typed in an earlier session, with the answers that were rated then.
    for (auto& [key, rating] : stored) {
        if (!isTypedPromptKey(key))
            continue;
        RatingSession::Item item;
        item.key = key;
        item.prompt = rating.prompt;
        item.answerA = rating.answerA;
        item.answerB = rating.answerB;
        item.verdict = rating.verdict;
        item.comment = rating.comment;
        session.items.push_back(std::move(item));
    }
    if (session.items.empty())
        throw Error(QStringLiteral("%1 and %2 share no evaluated example: evaluate both on the same split")
                        .arg(session.a.label, session.b.label));
    return session;
}

BlindRatingDialog::BlindRatingDialog(StoreThread* store, const QString& workspacePath, const QList<qint64>& runIds,
                                     QWidget* parent, quint32 seed)
    : QDialog(parent)
    , m_store(store)
    , m_workspacePath(workspacePath)
    , m_random(seed)
{
    setObjectName(QStringLiteral("blindRatingDialog"));
    setWindowTitle(tr("Rate answers blind"));
    m_status = new QLabel(tr("Loading…"), this);
    m_status->setObjectName(QStringLiteral("ratingStatus"));
    m_status->setWordWrap(true);
    m_prompt = new QTextBrowser(this);
    m_prompt->setObjectName(QStringLiteral("ratingPrompt"));
    m_prompt->setMaximumHeight(120);
    auto answerBox = [this](const QString& title, const QString& name, QTextBrowser** view) {
        auto* box = new QGroupBox(title, this);
        *view = new QTextBrowser(box);
        (*view)->setObjectName(name);
        auto* layout = new QVBoxLayout(box);
        layout->addWidget(*view);
        return box;
    };
    auto* answers = new QHBoxLayout;
    answers->addWidget(answerBox(tr("Answer 1"), QStringLiteral("ratingFirst"), &m_first), 1);
    answers->addWidget(answerBox(tr("Answer 2"), QStringLiteral("ratingSecond"), &m_second), 1);
    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("ratingComment"));
    m_comment->setPlaceholderText(tr("Comment (optional), saved with the rating"));

    auto button = [this](const QString& text, const QString& name, const QKeySequence& key, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setShortcut(key);
        b->setToolTip(tip);
        b->setAutoDefault(false);
        return b;
    };
    m_firstBetter = button(tr("&1 is better"), QStringLiteral("ratingFirstBetter"), QKeySequence(Qt::Key_1),
                           tr("Answer 1 is the better one (1)"));
    m_secondBetter = button(tr("&2 is better"), QStringLiteral("ratingSecondBetter"), QKeySequence(Qt::Key_2),
                            tr("Answer 2 is the better one (2)"));
    m_tie =
        button(tr("&3 Equal"), QStringLiteral("ratingTie"), QKeySequence(Qt::Key_3), tr("Neither is better (3 or T)"));
    m_skip = button(tr("&Skip"), QStringLiteral("ratingSkip"), QKeySequence(Qt::Key_S),
                    tr("Leave this example unrated for now (S)"));
    m_back = button(tr("Back"), QStringLiteral("ratingBack"), QKeySequence(Qt::Key_Backspace),
                    tr("The previous example, to rate it again (Backspace)"));
    m_finish = button(tr("Show results"), QStringLiteral("ratingResults"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                      tr("Who gave which answer, and the win rate so far (Ctrl+Return)"));
    auto* tieKey = new QAction(this);
    tieKey->setShortcut(QKeySequence(Qt::Key_T));
    addAction(tieKey);
    connect(tieKey, &QAction::triggered, this, [this] { rate(0); });
    m_addPreferred = new QPushButton(tr("Add preferred answers…"), this);
    m_addPreferred->setObjectName(QStringLiteral("ratingAddPreferred"));
    m_addPreferred->setAutoDefault(false);
    m_addPreferred->setToolTip(tr("The rated examples with a better answer, as dataset examples: the prompt and that "
                                  "answer, tagged \"rated\" (Undo on the Datasets page takes them back)"));
    m_addPreferred->setEnabled(false);
    auto* close = new QPushButton(tr("Close"), this);
    close->setAutoDefault(false);
    auto* row = new QHBoxLayout;
    for (QPushButton* b : {m_firstBetter, m_secondBetter, m_tie, m_skip, m_back})
        row->addWidget(b);
    row->addStretch(1);
    row->addWidget(m_finish);
    row->addWidget(m_addPreferred);
    row->addWidget(close);
    m_results = new QLabel(this);
    m_results->setObjectName(QStringLiteral("ratingResultsText"));
    m_results->setWordWrap(true);
    m_results->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_results->hide();

    m_askField = new QLineEdit(this);
    m_askField->setObjectName(QStringLiteral("ratingAskField"));
    m_askField->setPlaceholderText(
        tr("A prompt of your own: both models answer it, then you rate the answers (Enter)"));
    m_ask = new QPushButton(tr("Ask both"), this);
    m_ask->setObjectName(QStringLiteral("ratingAsk"));
    m_ask->setAutoDefault(false);
    m_ask->setToolTip(tr("Each model answers as in its evaluation (same checkpoint, template and generation "
                         "settings); the answers are shown blind like the others"));
    m_asking = new PairedGeneration(this);
    auto* askRow = new QHBoxLayout;
    askRow->addWidget(new QLabel(tr("Your own prompt:"), this));
    askRow->addWidget(m_askField, 1);
    askRow->addWidget(m_ask);
    m_askField->setEnabled(false);
    m_ask->setEnabled(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(askRow);
    layout->addWidget(m_status);
    layout->addWidget(m_prompt);
    layout->addLayout(answers, 1);
    layout->addWidget(m_comment);
    layout->addLayout(row);
    layout->addWidget(m_results);
    resize(980, 640);

    connect(m_firstBetter, &QPushButton::clicked, this, [this] { rate(1); });
    connect(m_secondBetter, &QPushButton::clicked, this, [this] { rate(2); });
    connect(m_tie, &QPushButton::clicked, this, [this] { rate(0); });
    connect(m_skip, &QPushButton::clicked, this, &BlindRatingDialog::skip);
    connect(m_back, &QPushButton::clicked, this, &BlindRatingDialog::back);
    connect(m_finish, &QPushButton::clicked, this, &BlindRatingDialog::showResults);
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
    connect(m_addPreferred, &QPushButton::clicked, this, &BlindRatingDialog::addPreferredAnswersAs);
    connect(m_askField, &QLineEdit::returnPressed, this, &BlindRatingDialog::askBoth);
    connect(m_ask, &QPushButton::clicked, this, [this] {
        if (m_asking->isRunning())
            m_asking->cancel();
        else
            askBoth();
    });
    connect(m_asking, &PairedGeneration::finished, this,
            [this](const QString& prompt, const GenerationResult& a, const GenerationResult& b) {
                askEnded();
                m_askField->clear();
                addTypedAnswers(prompt, a.text, b.text);
                emit answered(QString());
            });
    connect(m_asking, &PairedGeneration::failed, this, [this](const QString& message) {
        askEnded();
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>")
                              .arg(tr("The prompt was not answered: %1").arg(message).toHtmlEscaped()));
        emit answered(message);
    });
    connect(m_asking, &PairedGeneration::cancelled, this, [this] {
        askEnded();
        showStatus();
        emit answered(tr("stopped"));
    });
    for (QWidget* w : std::initializer_list<QWidget*>{m_firstBetter, m_secondBetter, m_tie, m_skip, m_back, m_finish})
        w->setEnabled(false);

    m_store->post(
        this, [workspacePath, runIds] { return loadRatingSession(workspacePath, runIds); },
        [this](RatingSession session, const QString& error) { apply(std::move(session), error); });
}

void BlindRatingDialog::apply(RatingSession session, const QString& error)
{
    if (!error.isEmpty()) {
        m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(error.toHtmlEscaped()));
        emit loaded(error);
        return;
    }
    m_session = std::move(session);
    m_aFirst.clear();
    for (size_t i = 0; i < m_session.items.size(); ++i)
        m_aFirst.push_back((m_random() & 1u) != 0); // the same order for a seed on every platform
    m_loaded = true;
    for (QWidget* w : std::initializer_list<QWidget*>{m_firstBetter, m_secondBetter, m_tie, m_skip, m_back, m_finish,
                                                      m_askField, m_ask})
        w->setEnabled(true);
    m_index = -1;
    moveToNextUnrated();
    m_prompt->setFocus(); // not the comment field: the keys rate
    emit loaded(QString());
}

int BlindRatingDialog::ratedCount() const
{
    int rated = 0;
    for (const RatingSession::Item& item : m_session.items)
        rated += item.verdict.has_value() ? 1 : 0;
    return rated;
}

bool BlindRatingDialog::firstIsA() const
{
    return m_index >= 0 && m_index < static_cast<int>(m_aFirst.size()) && m_aFirst[static_cast<size_t>(m_index)];
}

void BlindRatingDialog::showCurrent()
{
    const int total = exampleCount();
    if (m_index < 0 || m_index >= total)
        return;
    const RatingSession::Item& item = m_session.items[static_cast<size_t>(m_index)];
    const bool aFirst = firstIsA();
    m_prompt->setPlainText(item.prompt);
    m_first->setPlainText(aFirst ? item.answerA : item.answerB);
    m_second->setPlainText(aFirst ? item.answerB : item.answerA);
    m_comment->setText(item.comment);
    showStatus();
}

void BlindRatingDialog::showStatus()
{
    const int total = exampleCount();
    if (m_index < 0 || m_index >= total)
        return;
    const RatingSession::Item& item = m_session.items[static_cast<size_t>(m_index)];
    const bool aFirst = firstIsA();
    QString rated;
    if (item.verdict) {
        const bool firstWon = (*item.verdict == Verdict::A) == aFirst;
        rated = *item.verdict == Verdict::Tie ? tr("rated: equal")
                : firstWon                    ? tr("rated: answer 1 better")
                                              : tr("rated: answer 2 better");
    }
    m_status->setText(tr("Example %1 of %2 · %3 rated%4 · Which answer is better?")
                          .arg(m_index + 1)
                          .arg(total)
                          .arg(ratedCount())
                          .arg(rated.isEmpty() ? QString() : QStringLiteral(" · ") + rated));
    m_back->setEnabled(m_index > 0);
}

void BlindRatingDialog::moveToNextUnrated()
{
    const int total = exampleCount();
    for (int step = 1; step <= total; ++step) {
        const int candidate = (m_index + step + total) % total;
        if (!m_session.items[static_cast<size_t>(candidate)].verdict) {
            m_index = candidate;
            showCurrent();
            return;
        }
    }
    // Everything is rated: the results, with the last example still shown for a second look.
    m_index = std::clamp(m_index, 0, total - 1);
    showCurrent();
    showResults();
}

void BlindRatingDialog::rate(int choice)
{
    if (!m_loaded || m_index < 0 || m_index >= exampleCount())
        return;
    RatingSession::Item& item = m_session.items[static_cast<size_t>(m_index)];
    const bool aFirst = firstIsA();
    const Verdict verdict = choice == 0 ? Verdict::Tie : (choice == 1) == aFirst ? Verdict::A : Verdict::B;
    item.verdict = verdict;
    item.comment = m_comment->text().trimmed();
    Rating rating;
    rating.a = m_session.a;
    rating.b = m_session.b;
    rating.exampleKey = item.key;
    rating.prompt = item.prompt;
    rating.reference = item.reference;
    rating.answerA = item.answerA;
    rating.answerB = item.answerB;
    rating.aShownFirst = aFirst;
    rating.verdict = verdict;
    rating.comment = item.comment;
    const QString path = m_workspacePath;
    m_store->post(
        this, [path, rating] { RatingStore(Workspace::open(path).database()).save(rating); },
        [this](const QString& error) {
            if (!error.isEmpty())
                m_status->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>")
                                      .arg(tr("The rating was not saved: %1").arg(error).toHtmlEscaped()));
            emit saved(error);
        });
    if (m_results->isVisible())
        showResults();
    m_prompt->setFocus(); // out of the comment field, so that the next key rates
    moveToNextUnrated();
}

void BlindRatingDialog::skip()
{
    if (!m_loaded || exampleCount() == 0)
        return;
    m_index = (m_index + 1) % exampleCount();
    showCurrent();
}

void BlindRatingDialog::back()
{
    if (!m_loaded || m_index <= 0)
        return;
    --m_index;
    showCurrent();
}

void BlindRatingDialog::askBoth()
{
    const QString prompt = m_askField->text().trimmed();
    if (!m_loaded || prompt.isEmpty() || m_asking->isRunning())
        return;
    m_ask->setText(tr("Stop"));
    m_askField->setReadOnly(true); // the prompt being answered stays as it was asked
    m_status->setText(tr("Both models are answering your prompt…"));
    m_asking->start(m_session.askA, m_session.askB, prompt);
}

void BlindRatingDialog::askEnded()
{
    m_ask->setText(tr("Ask both"));
    m_askField->setReadOnly(false);
}

void BlindRatingDialog::addTypedAnswers(const QString& prompt, const QString& answerA, const QString& answerB)
{
    const QString key = typedPromptKey(prompt);
    auto found = std::find_if(m_session.items.begin(), m_session.items.end(),
                              [&key](const RatingSession::Item& item) { return item.key == key; });
    if (found == m_session.items.end()) {
        m_session.items.emplace_back();
        m_aFirst.push_back((m_random() & 1u) != 0);
        found = m_session.items.end() - 1;
    }
    // Asked again: the new answers replace the old, and so will the rating they get.
    found->key = key;
    found->prompt = prompt;
    found->reference.clear();
    found->answerA = answerA;
    found->answerB = answerB;
    found->verdict.reset();
    found->comment.clear();
    const int typedIndex = static_cast<int>(found - m_session.items.begin());
    if (m_comment->hasFocus() && typedIndex != m_index) {
        // A comment is being written for the example shown: it stays, and the new pair waits its turn.
        m_status->setText(tr("The answers to your prompt are example %1 of %2; finish this one first.")
                              .arg(typedIndex + 1)
                              .arg(exampleCount()));
    } else {
        if (m_index >= 0 && m_index < exampleCount() && m_index != typedIndex)
            m_session.items[static_cast<size_t>(m_index)].comment = m_comment->text().trimmed(); // kept for later
        m_index = typedIndex;
        showCurrent();
        m_prompt->setFocus(); // the keys rate this pair now
    }
    if (m_results->isVisible())
        showResults();
}

void BlindRatingDialog::setDatasetSession(DatasetSession* session)
{
    m_datasets = session;
    m_addPreferred->setEnabled(m_datasets && m_results->isVisible());
}

std::vector<StoredExample> BlindRatingDialog::preferredExamples(qint64 datasetId, Split split) const
{
    std::vector<StoredExample> examples;
    for (const RatingSession::Item& item : m_session.items) {
        if (!item.verdict || *item.verdict == Verdict::Tie)
            continue;
        const bool aWon = *item.verdict == Verdict::A;
        StoredExample example;
        example.datasetId = datasetId;
        example.split = split;
        example.record.instruction = item.prompt;
        example.record.response = aWon ? item.answerA : item.answerB;
        // The worse answer goes with it: the example is also a preference pair for DPO.
        if ((aWon ? item.answerB : item.answerA) != example.record.response)
            example.record.rejected = aWon ? item.answerB : item.answerA;
        example.source =
            QStringLiteral("rated: %1 over %2")
                .arg(aWon ? m_session.a.label : m_session.b.label, aWon ? m_session.b.label : m_session.a.label);
        example.tags = QStringList{QStringLiteral("rated")};
        example.notes = item.comment;
        examples.push_back(std::move(example));
    }
    return examples;
}

bool BlindRatingDialog::addPreferredAnswers(qint64 datasetId, Split split)
{
    if (!m_datasets)
        return false;
    std::vector<StoredExample> examples = preferredExamples(datasetId, split);
    if (examples.empty()) {
        m_status->setText(tr("No rating has a better answer yet (ties are not added)."));
        return false;
    }
    const quint64 errorsBefore = m_datasets->errorCount();
    const auto count = static_cast<int>(examples.size());
    m_datasets->undoStack()->push(InsertExamplesCommand::add(m_datasets, datasetId, std::move(examples)));
    if (m_datasets->errorCount() != errorsBefore)
        return false;
    QString dataset;
    if (const auto info = m_datasets->datasets().find(datasetId))
        dataset = info->name;
    m_status->setText(
        tr("Added %n preferred answer(s) to \"%1\" (%2); Undo on the Datasets page takes them back.", nullptr, count)
            .arg(dataset, splitName(split)));
    return true;
}

void BlindRatingDialog::addPreferredAnswersAs()
{
    if (!m_datasets)
        return;
    std::vector<DatasetInfo> datasets;
    try {
        datasets = m_datasets->datasets().list();
    } catch (const std::exception& error) {
        m_status->setText(QString::fromUtf8(error.what()).toHtmlEscaped());
        return;
    }
    if (datasets.empty()) {
        m_status->setText(tr("The workspace has no dataset yet: create or import one on the Datasets page."));
        return;
    }
    SaveConversationDialog dialog({tr("the preferred answers")}, datasets, this);
    dialog.setWindowTitle(tr("Add preferred answers"));
    if (dialog.exec() == QDialog::Accepted)
        addPreferredAnswers(dialog.datasetId(), dialog.split());
}

void BlindRatingDialog::showResults()
{
    if (!m_loaded)
        return;
    WinRate rate;
    for (const RatingSession::Item& item : m_session.items) {
        if (!item.verdict)
            continue;
        if (*item.verdict == Verdict::A)
            ++rate.wins;
        else if (*item.verdict == Verdict::B)
            ++rate.losses;
        else
            ++rate.ties;
    }
    const QString current = m_index >= 0 && m_index < exampleCount()
                                ? tr("This example: answer 1 was %1's, answer 2 %2's.")
                                      .arg(firstIsA() ? m_session.a.label : m_session.b.label,
                                           firstIsA() ? m_session.b.label : m_session.a.label)
                                      .toHtmlEscaped()
                                : QString();
    m_results->setText(tr("<b>%1</b> against <b>%2</b>: %3 of %4 examples rated; win rate %5. A tie counts half a "
                          "win; the range is a 95 % Wilson interval. %6")
                           .arg(m_session.a.label.toHtmlEscaped(), m_session.b.label.toHtmlEscaped())
                           .arg(rate.count())
                           .arg(exampleCount())
                           .arg(rate.text().toHtmlEscaped(), current));
    m_results->show();
    m_addPreferred->setEnabled(m_datasets != nullptr);
}

} // namespace ft::ui
