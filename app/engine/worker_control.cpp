#include "worker_control.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <thread>

namespace ft::cli {

namespace {

std::atomic<int> g_signal{0}; // lock-free: the only thing the handler touches

extern "C" void onStopSignal(int number) { g_signal.store(number); }

} // namespace

void startWorkerControl(TrainerControl& control)
{
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

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
