<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ExampleCommands</name>
    <message numerus="yes">
        <source>Add %n example(s)</source>
        <translation>
            <numerusform>Add %n example</numerusform>
            <numerusform>Add %n examples</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Duplicate %n example(s)</source>
        <translation>
            <numerusform>Duplicate %n example</numerusform>
            <numerusform>Duplicate %n examples</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n example(s)</source>
        <translation>
            <numerusform>Delete %n example</numerusform>
            <numerusform>Delete %n examples</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Tag %n example(s)</source>
        <translation>
            <numerusform>Tag %n example</numerusform>
            <numerusform>Tag %n examples</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Untag %n example(s)</source>
        <translation>
            <numerusform>Untag %n example</numerusform>
            <numerusform>Untag %n examples</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::BlindRatingDialog</name>
    <message numerus="yes">
        <source>Added %n preferred answer(s) to &quot;%1&quot; (%2); Undo on the Datasets page takes them back.</source>
        <translation>
            <numerusform>Added %n preferred answer to &quot;%1&quot; (%2); Undo on the Datasets page takes them back.</numerusform>
            <numerusform>Added %n preferred answers to &quot;%1&quot; (%2); Undo on the Datasets page takes them back.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::CompareDialog</name>
    <message numerus="yes">
        <source>Compare %n run(s)</source>
        <translation>
            <numerusform>Compare %n run</numerusform>
            <numerusform>Compare %n runs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n setting(s) differ</source>
        <translation>
            <numerusform>%n setting differs</numerusform>
            <numerusform>%n settings differ</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetDedupDialog</name>
    <message numerus="yes">
        <source>%1 group(s) of duplicates; removing keeps the first of each and deletes %n example(s) (undoable).</source>
        <translation>
            <numerusform>%1 group of duplicates; removing keeps the first of each and deletes %n example (undoable).</numerusform>
            <numerusform>%1 groups of duplicates; removing keeps the first of each and deletes %n examples (undoable).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove %n duplicate(s)</source>
        <translation>
            <numerusform>Remove %n duplicate</numerusform>
            <numerusform>Remove %n duplicates</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetExportDialog</name>
    <message numerus="yes">
        <source>Wrote %n example(s) to %1.</source>
        <translation>
            <numerusform>Wrote %n example to %1.</numerusform>
            <numerusform>Wrote %n examples to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetImportPanel</name>
    <message numerus="yes">
        <source>Imported %n example(s) from %1 in %2 s.</source>
        <translation>
            <numerusform>Imported %n example from %1 in %2 s.</numerusform>
            <numerusform>Imported %n examples from %1 in %2 s.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetSession</name>
    <message numerus="yes">
        <source>Saving %n example(s)…</source>
        <translation>
            <numerusform>Saving %n example…</numerusform>
            <numerusform>Saving %n examples…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetSplitDialog</name>
    <message numerus="yes">
        <source>train %L1 → %L2, val %L3 → %L4, test %L5 → %L6; %n example(s) move.</source>
        <translation>
            <numerusform>train %L1 → %L2, val %L3 → %L4, test %L5 → %L6; %n example moves.</numerusform>
            <numerusform>train %L1 → %L2, val %L3 → %L4, test %L5 → %L6; %n examples move.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Split: move %n example(s)</source>
        <translation>
            <numerusform>Split: move %n example</numerusform>
            <numerusform>Split: move %n examples</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetValidateDialog</name>
    <message numerus="yes">
        <source>%n example(s) checked. </source>
        <translation>
            <numerusform>%n example checked. </numerusform>
            <numerusform>%n examples checked. </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Apply changes the flags of %n example(s) (undoable).</source>
        <translation>
            <numerusform>Apply changes the flags of %n example (undoable).</numerusform>
            <numerusform>Apply changes the flags of %n examples (undoable).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Validation flags on %n example(s)</source>
        <translation>
            <numerusform>Validation flags on %n example</numerusform>
            <numerusform>Validation flags on %n examples</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::DatasetsPage</name>
    <message numerus="yes">
        <source>Move %n example(s) to %1</source>
        <translation>
            <numerusform>Move %n example to %1</numerusform>
            <numerusform>Move %n examples to %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Looking for personal data in %n example(s)…</source>
        <translation>
            <numerusform>Looking for personal data in %n example…</numerusform>
            <numerusform>Looking for personal data in %n examples…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No personal data found in the %n selected example(s).</source>
        <translation>
            <numerusform>No personal data found in the %n selected example.</numerusform>
            <numerusform>No personal data found in the %n selected examples.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Mask personal data in %n example(s)</source>
        <translation>
            <numerusform>Mask personal data in %n example</numerusform>
            <numerusform>Mask personal data in %n examples</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Masked %1 item(s) of personal data in %n example(s) (Ctrl+Z undoes it).</source>
        <translation>
            <numerusform>Masked %1 item of personal data in %n example (Ctrl+Z undoes it).</numerusform>
            <numerusform>Masked %1 items of personal data in %n examples (Ctrl+Z undoes it).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete the dataset &quot;%1&quot; and its %Ln example(s)?</source>
        <translation>
            <numerusform>Delete the dataset &quot;%1&quot; and its %Ln example?</numerusform>
            <numerusform>Delete the dataset &quot;%1&quot; and its %Ln examples?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted the dataset &quot;%1&quot; (%Ln example(s)).</source>
        <translation>
            <numerusform>Deleted the dataset &quot;%1&quot; (%Ln example).</numerusform>
            <numerusform>Deleted the dataset &quot;%1&quot; (%Ln examples).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::ExampleTableModel</name>
    <message numerus="yes">
        <source>[%n turn(s)] </source>
        <translation>
            <numerusform>[%n turn] </numerusform>
            <numerusform>[%n turns] </numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::ExamplesDialog</name>
    <message numerus="yes">
        <source>%n example(s)</source>
        <translation>
            <numerusform>%n example</numerusform>
            <numerusform>%n examples</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::GgufExportDialog</name>
    <message numerus="yes">
        <source>%n tensor(s) in another type (rows that fit no block).</source>
        <translation>
            <numerusform>%n tensor in another type (rows that fit no block).</numerusform>
            <numerusform>%n tensors in another type (rows that fit no block).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::MainWindow</name>
    <message numerus="yes">
        <source>%n file(s) ready to import</source>
        <translation>
            <numerusform>%n file ready to import</numerusform>
            <numerusform>%n files ready to import</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) queued</source>
        <translation>
            <numerusform>%n run queued</numerusform>
            <numerusform>%n runs queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n queued</numerusform>
            <numerusform>, %n queued</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) are training.</source>
        <translation>
            <numerusform>%n run is training.</numerusform>
            <numerusform>%n runs are training.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::PiiMaskDialog</name>
    <message numerus="yes">
        <source>%1 item(s) of personal data in %n of the %2 selected example(s) would become placeholders. Nothing changes until you press Mask; Undo (Ctrl+Z) reverts it as one step.</source>
        <translation>
            <numerusform>%1 item of personal data in %n of the %2 selected example would become placeholders. Nothing changes until you press Mask; Undo (Ctrl+Z) reverts it as one step.</numerusform>
            <numerusform>%1 items of personal data in %n of the %2 selected examples would become placeholders. Nothing changes until you press Mask; Undo (Ctrl+Z) reverts it as one step.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Mask %n example(s)</source>
        <translation>
            <numerusform>Mask %n example</numerusform>
            <numerusform>Mask %n examples</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ft::ui::RunsPage</name>
    <message numerus="yes">
        <source>%n run(s)</source>
        <translation>
            <numerusform>%n run</numerusform>
            <numerusform>%n runs</numerusform>
        </translation>
    </message>
</context>
</TS>
