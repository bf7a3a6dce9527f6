#include "worker_control.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "common/stop_signals.h"
#include "contract/run_folder.h"

namespace ft::cli {

namespace {

std::atomic<int> g_signal{0}; // lock-free: the only thing the handler touches

extern "C" void onStopSignal(int number) { g_signal.store(number); }

void setStopSignalMask(int how)
{
    const sigset_t stopSignals = stopSignalSet();
    sigprocmask(how, &stopSignals, nullptr);
}

// A command of the studio's, from stdin or the run folder.
void applyCommand(TrainerControl& control, const std::string& command)
{
    if (command == "stop")
        control.requestStop();
    else if (command == "pause")
        control.requestPause();
    else if (command == "resume")
        control.requestResume();
    else if (command == "checkpoint")
        control.requestCheckpoint();
}

} // namespace

bool commandHandlesStopSignals(int argc, char* argv[])
{
    if (argc < 2)
        return false;
    const std::string command = argv[1];
    if (command == "train")
        return true; // always steered (cmd_train.cpp)
    if (command != "eval" && command != "export")
        return false;
    if (command == "eval" && argc > 2 && std::strcmp(argv[2], "compare") == 0)
        return false;
    // eval and export steer themselves only for the studio (--events jsonl); on a terminal Ctrl+C
    // must end them at once, as it always did.
    for (int i = 2; i < argc; ++i)
        if (std::strcmp(argv[i], "--events") == 0 || std::strncmp(argv[i], "--events=", 9) == 0)
            return true;
    return false;
}

int caughtStopSignal() { return g_signal.load(); }

void catchStopSignals()
{
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    setStopSignalMask(SIG_UNBLOCK);
}

void restoreStopSignals()
{
    // exec already reset caught handlers to the default; an inherited SIG_IGN (a background job of
    // a script) is kept as the caller meant it.
    setStopSignalMask(SIG_UNBLOCK);
}

void startWorkerControl(TrainerControl& control)
{
    // Signal handlers may not take locks; a watcher turns the flag into a stop request.
    std::thread([&control] {
        while (g_signal.load() == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        control.requestStop();
    }).detach();

    std::thread([&control] {
        std::string line;
        while (std::getline(std::cin, line)) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            applyCommand(control, line);
        }
    }).detach();
}

void watchControlFolder(TrainerControl& control, const QString& runDir, const QDateTime& since)
{
    const RunFolder folder(runDir);
    folder.markPaused(false);
    // File times have a coarser grain on some file systems: a second of slack keeps a command sent while
    // this worker started.
    const QDateTime notBefore = since.addSecs(-1);
    std::thread([&control, folder, notBefore] {
        for (;;) {
            for (const QString& command : folder.takeCommands(notBefore))
                applyCommand(control, command.toStdString());
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }).detach();
}

void PauseMarker::pausedChanged(bool paused) { RunFolder(m_runDir).markPaused(paused); }

void PauseMarker::ended(const RunEndInfo&) { RunFolder(m_runDir).markPaused(false); }

} // namespace ft::cli
