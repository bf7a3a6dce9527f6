#include "worker_control.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

namespace ft::cli {

namespace {

std::atomic<int> g_signal{0}; // lock-free: the only thing the handler touches

extern "C" void onStopSignal(int number) { g_signal.store(number); }

void setStopSignalMask(int how)
{
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    sigprocmask(how, &stopSignals, nullptr);
}

} // namespace

bool commandHandlesStopSignals(int argc, char* argv[])
{
    if (argc < 2)
        return false;
    const std::string command = argv[1];
    if (command == "eval")
        return argc < 3 || std::strcmp(argv[2], "compare") != 0;
    return command == "train" || command == "export";
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
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
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
            if (line == "stop")
                control.requestStop();
            else if (line == "pause")
                control.requestPause();
            else if (line == "resume")
                control.requestResume();
            else if (line == "checkpoint")
                control.requestCheckpoint();
        }
    }).detach();
}

} // namespace ft::cli
