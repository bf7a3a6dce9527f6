#!/usr/bin/env python3
"""Kill campaigns (scripts/kill-campaign runs this): SIGKILL at random moments, then check that
nothing was lost or corrupted.

worker:  one training run (stories260K from ../shared, the sample dataset) is killed with SIGKILL at
         N random moments (during steps, evaluations, checkpoint writes and the export) and resumed
         after each; after every kill each checkpoint on disk must be whole (its safetensors header
         and size, its state.json, its optimizer archive), and at the end the losses of every step
         and the exported weights must equal those of the same run left alone, bit for bit.
import:  `dataset import` of a 100,000-record file into one workspace is killed at N random moments;
         after each kill the database must pass PRAGMA integrity_check and hold either the whole
         dataset or none of it, and every dataset acknowledged before (exit 0) must still be whole.
edits:   the studio's dataset edits (ft_edit_driver: the Datasets page's session and undo commands;
         single edits, tags on 2,000 rows, inserts and removals) are killed at N random moments; after
         each kill the database must pass PRAGMA integrity_check and the full-text index its own check,
         every bulk edit must be there whole or not at all, and every edit acknowledged before the kill
         must be there. The driver is CLI's folder's ../../tests/campaign/ft_edit_driver.

Usage: kill_campaign.py worker|import|edits KILLS CLI SHARED_DIR WORK_DIR [SEED]
Prints one line per kill and a summary; exits 1 when any check fails.
"""
import json
import os
import random
import re
import selectors
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile

campaign, kills, cli, shared, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
os.makedirs(work, exist_ok=True)
failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, flush=True)


def checked_database(workspace, attempt):
    """The workspace's database after a kill, opened, once PRAGMA integrity_check has been asked (a
    failure is recorded); None when the kill came before the workspace existed."""
    found = [f for f in os.listdir(workspace) if f.endswith(".db")] if os.path.isdir(workspace) else []
    if not found:
        print("kill %3d: before the workspace existed" % attempt, flush=True)
        return None
    connection = sqlite3.connect(os.path.join(workspace, found[0]))
    verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        fail("after kill %d: integrity_check says %s" % (attempt, verdict))
    return connection


# ---- worker -------------------------------------------------------------------------------------

def train_arguments(run_dir, train_file):
    return [cli, "train", "--model", os.path.join(shared, "fixtures", "stories260K", "hf"), "--train", train_file,
            "--run", run_dir, "--steps", "1000", "--template", "plain", "--max-length", "128", "--batch-size", "4",
            "--lr", "1e-3", "--threads", "1", "--seed", "7", "--events", "jsonl",
            "--set", "eval_every=25", "--set", "save_every=10", "--set", "sample_prompts=1",
            "--set", "sample_max_tokens=16", "--set", "keep_last=3"]


def read_events(path):
    events = []
    with open(path, "rb") as f:
        for line in f:
            try:
                events.append(json.loads(line))
            except ValueError:
                pass  # the line the kill cut short
    return events


def safetensors_whole(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        return "shorter than its 8-byte header length"
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    end = max([entry["data_offsets"][1] for key, entry in header.items() if key != "__metadata__"] + [0])
    if 8 + length + end != len(blob):
        return "size %d, header promises %d" % (len(blob), 8 + length + end)
    return None


def check_checkpoints(run_dir):
    folder = os.path.join(run_dir, "checkpoints")
    if not os.path.isdir(folder):
        return 0
    count = 0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not name.startswith("step-") or not os.path.isdir(path):
            continue  # temporary folders of an interrupted write are not checkpoints
        count += 1
        try:
            problem = safetensors_whole(os.path.join(path, "trainable.safetensors"))
            if problem:
                fail("%s: trainable.safetensors: %s" % (path, problem))
            json.load(open(os.path.join(path, "state.json")))
            with zipfile.ZipFile(os.path.join(path, "optimizer.pt")) as archive:
                bad = archive.testzip()
                if bad:
                    fail("%s: optimizer.pt: %s is damaged" % (path, bad))
        except Exception as error:  # any unreadable part is a failure of the campaign
            fail("%s: unreadable: %s" % (path, error))
    return count


def step_losses(events):
    return {e["step"]: e["loss"] for e in events if e.get("event") == "step"}


def worker_campaign():
    train_file = os.path.join(work, "train.jsonl")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "sample",
                           "sample_dataset.jsonl"), "rb") as source:
        open(train_file, "wb").write(source.read())

    reference_dir = os.path.join(work, "reference")
    started = time.time()
    with open(os.path.join(work, "reference.jsonl"), "wb") as out:
        subprocess.run(train_arguments(reference_dir, train_file), stdout=out, stderr=subprocess.DEVNULL, check=True)
    duration = time.time() - started
    reference = read_events(os.path.join(work, "reference.jsonl"))
    reference_losses = step_losses(reference)
    print("reference run: %d steps in %.1f s" % (len(reference_losses), duration), flush=True)

    run_dir = os.path.join(work, "killed")
    losses = {}
    phases = {}
    session = 0
    killed = 0
    finished = False
    while not finished:
        # Until the worker has written the run's settings there is nothing to resume: start it again.
        arguments = train_arguments(run_dir, train_file)
        if os.path.exists(os.path.join(run_dir, "config.json")):
            arguments = [cli, "train", "--resume", run_dir, "--events", "jsonl", "--threads", "1"]
        log = os.path.join(work, "session-%03d.jsonl" % session)
        errors = os.path.join(work, "session-%03d.err" % session)
        with open(log, "wb") as out, open(errors, "wb") as err:
            process = subprocess.Popen(arguments, stdout=out, stderr=err)
            if killed < kills:
                # Moments spread over a session's first two seconds: start-up, steps, evaluations,
                # checkpoint writes, and near the end the export.
                time.sleep(rng.uniform(0.05, 2.0))
            if killed < kills and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed += 1
            else:
                process.wait()
        events = read_events(log)
        for step, loss in step_losses(events).items():
            losses[step] = loss  # a resumed session repeats the steps after its checkpoint
        last = events[-1]["event"] if events else "nothing"
        finished = last == "finished"
        if not finished and process.returncode != -signal.SIGKILL:
            said = open(errors, "rb").read().decode("utf-8", "replace").strip().splitlines()[-3:]
            fail("session %d ended with status %s and last event %s; stderr: %s" % (
                session, process.returncode, last, " | ".join(said)))
            break
        phase = "start-up" if not events else {"step": "step", "eval": "evaluation", "sample": "evaluation",
                                               "checkpoint": "checkpoint", "log": "step"}.get(last, last)
        if not finished:
            phases[phase] = phases.get(phase, 0) + 1
        checkpoints = check_checkpoints(run_dir)
        print("session %3d: %s after %-10s, %d checkpoints whole" % (
            session, "finished" if finished else "killed", last, checkpoints), flush=True)
        session += 1
        if session > kills + 50:
            fail("the run did not finish after %d sessions" % session)
            break

    print("kills by the last event before them: %s" % json.dumps(phases, sort_keys=True))
    if losses.keys() != reference_losses.keys():
        fail("%d steps reported, the reference %d" % (len(losses), len(reference_losses)))
    different = [s for s in reference_losses if losses.get(s) != reference_losses[s]]
    if different:
        fail("%d step losses differ from the uninterrupted run's, the first at step %d: %r vs %r" % (
            len(different), different[0], losses.get(different[0]), reference_losses[different[0]]))
    exported = os.path.join(run_dir, "export", "model", "model.safetensors")
    theirs = open(os.path.join(reference_dir, "export", "model", "model.safetensors"), "rb").read()
    if not os.path.exists(exported) or open(exported, "rb").read() != theirs:
        fail("the exported weights differ from the uninterrupted run's")
    print("worker campaign: %d kills, %d sessions, %d step losses and the exported weights %s" % (
        killed, session, len(losses), "equal the uninterrupted run's" if not failures else "checked"))


# ---- import -------------------------------------------------------------------------------------

def import_campaign():
    records = 100000
    path = os.path.join(work, "big.jsonl")
    with open(path, "w") as f:
        for i in range(records):
            f.write(json.dumps({"instruction": "Question %d: what is %d + %d?" % (i, i, i),
                                "input": "", "output": "It is %d." % (2 * i)}) + "\n")
    workspace = os.path.join(work, "workspace")
    acknowledged = {}
    cut = 0
    for attempt in range(kills):
        name = "import-%03d" % attempt
        process = subprocess.Popen([cli, "dataset", "import", path, "--workspace", workspace, "--name", name,
                                    "--format", "alpaca"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 1.6))  # an import of this file takes about 1.3 s here
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            cut += 1
        process.wait()
        if process.returncode == 0:
            acknowledged[name] = records
        elif process.returncode != -signal.SIGKILL:
            fail("%s ended with status %d without being killed" % (name, process.returncode))
        connection = checked_database(workspace, attempt)
        if connection is None:
            continue
        try:
            counts = dict(connection.execute(
                "SELECT d.name, COUNT(e.id) FROM datasets d LEFT JOIN examples e ON e.dataset_id = d.id "
                "GROUP BY d.id").fetchall())
        finally:
            connection.close()
        if name in counts and counts[name] != records:
            fail("%s holds %d of %d examples: a partial import" % (name, counts[name], records))
        for done, count in acknowledged.items():
            if counts.get(done) != count:
                fail("%s was acknowledged with %d examples and now holds %s" % (done, count, counts.get(done)))
        print("kill %3d: %s, %d datasets whole" % (
            attempt, "cut short" if process.returncode == -signal.SIGKILL else "finished first",
            len(acknowledged)), flush=True)
    print("import campaign: %d attempts, %d cut short by SIGKILL, %d finished; integrity_check ok after every one" % (
        kills, cut, kills - cut) if not failures else "import campaign: %d failures" % len(failures))


# ---- edits --------------------------------------------------------------------------------------

def edits_campaign():
    driver = os.path.join(os.path.dirname(cli), "..", "..", "tests", "campaign", "ft_edit_driver")
    workspace = os.path.join(work, "workspace")
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    notes = {}      # example id -> the last acknowledged edit number of its notes
    tags = set()    # acknowledged bulk tags (edit numbers)
    inserted = set()
    deleted = set()
    next_edit = 0
    cut = 0
    acks = 0
    note_acks = 0
    for attempt in range(kills):
        process = subprocess.Popen([driver, workspace, str(next_edit), "1000000"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=environment, text=True)
        deadline = time.monotonic() + rng.uniform(0.2, 4.0)
        # Read acknowledgements until the moment comes; a line read is an edit that committed.
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        buffered = ""
        while time.monotonic() < deadline and process.poll() is None:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(process.stdout.fileno(), 65536).decode()
                if not chunk:
                    break
                buffered += chunk
        process.send_signal(signal.SIGKILL)
        process.wait()
        buffered += process.stdout.read() or ""
        cut += 1
        last = next_edit - 1
        for line in buffered.splitlines():
            parts = line.split()
            if not parts or parts[0] != "ack":
                continue
            acks += 1
            kind = parts[1]
            if kind == "note":
                notes[int(parts[2])] = int(parts[3])
                note_acks += 1
                last = int(parts[3])
            elif kind == "tag":
                tags.add(int(parts[2]))
                last = int(parts[2])
            elif kind == "insert":
                inserted.add(int(parts[2]))
                last = int(parts[2])
            elif kind == "delete":
                deleted.add(int(parts[2]))
                last = int(parts[2]) + 1
        # The next session starts past the edit the kill interrupted (it may have committed unacknowledged:
        # its number is not used again) and at a block of four, so that its removal follows its own insert.
        next_edit = ((last + 1) // 4 + 2) * 4
        connection = checked_database(workspace, attempt)
        if connection is None:
            continue
        try:
            try:
                connection.execute("INSERT INTO examples_fts(examples_fts) VALUES('integrity-check')")
            except sqlite3.DatabaseError as error:
                fail("after kill %d: the full-text index check says %s" % (attempt, error))
            dataset = connection.execute("SELECT id FROM datasets WHERE name = 'campaign'").fetchone()
            if dataset is None:
                if acks:
                    fail("after kill %d: the campaign dataset is gone" % attempt)
                print("kill %3d: while the dataset was being made (none or all of it: none)" % attempt, flush=True)
                continue
            # One read of the dataset per kill, counted here: the tags and inserts present, each example's notes.
            tag_rows, insert_rows, notes_of = {}, {}, {}
            for example_id, example_notes, example_tags, instruction in connection.execute(
                    "SELECT id, notes, tags, instruction FROM examples WHERE dataset_id = ?", (dataset[0],)):
                notes_of[example_id] = example_notes
                for tag in re.findall(r"bulk-(\d{6})", example_tags):
                    tag_rows[int(tag)] = tag_rows.get(int(tag), 0) + 1
                if instruction.startswith("ins-"):
                    edit = int(instruction[4:10])
                    insert_rows[edit] = insert_rows.get(edit, 0) + 1
            for example_id, edit in notes.items():
                value = notes_of.get(example_id, "")
                have = int(value[5:]) if value.startswith("edit-") else -1
                if have < edit:
                    fail("after kill %d: example %d's notes say edit %d, acknowledged edit %d" % (
                        attempt, example_id, have, edit))
            for edit in set(tag_rows) | tags:
                rows = tag_rows.get(edit, 0)
                if rows not in (0, 2000) or (edit in tags and rows != 2000):
                    fail("after kill %d: tag bulk-%06d is on %d rows%s" % (
                        attempt, edit, rows, " (acknowledged)" if edit in tags else ""))
            for edit in set(insert_rows) | inserted | deleted:
                rows = insert_rows.get(edit, 0)
                expected = 0 if edit in deleted else 50 if edit in inserted else None
                if rows not in (0, 50) or (expected is not None and rows != expected):
                    fail("after kill %d: %d rows of insert %d%s" % (
                        attempt, rows, edit, "" if expected is None else " (%d acknowledged)" % expected))
        finally:
            connection.close()
        print("kill %3d: %d edits acknowledged so far, all there" % (attempt, acks), flush=True)
    print("edits campaign: %d kills, %d acknowledged edits (%d single, %d tags on 2,000 rows, %d inserts, %d "
          "removals); integrity_check and the full-text index check ok after every one" % (
              cut, acks, note_acks, len(tags), len(inserted), len(deleted)) if not failures
          else "edits campaign: %d failures" % len(failures))


{"worker": worker_campaign, "import": import_campaign, "edits": edits_campaign}[campaign]()
sys.exit(1 if failures else 0)
