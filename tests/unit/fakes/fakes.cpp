// The fakes' shared record; module loads come from the loader's threads, so it is locked.
#include "tests/unit/fakes/fakes.hpp"

#include <condition_variable>
#include <mutex>
#include <set>

namespace hal::fake {
namespace {

std::mutex g_mutex;
std::vector<std::string> g_calls;
std::map<std::string, int> g_interfaces;
std::map<std::string, int> g_module_failures;
std::set<std::string> g_held;
std::condition_variable g_released;

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_calls;
}

void record(const std::string& call) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_calls.push_back(call);
}

std::map<std::string, int>& interfaces() { return g_interfaces; }
std::map<std::string, int>& module_failures() { return g_module_failures; }

void hold(const std::string& suffix) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_held.insert(suffix);
}

void release_held() {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_held.clear();
    g_released.notify_all();
}

void wait_if_held(const std::string& path) {
    std::unique_lock<std::mutex> lock(g_mutex);
    g_released.wait(lock, [&] {
        for (const auto& suffix : g_held)
            if (ends_with(path, suffix)) return false;
        return true;
    });
}

void reset() {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_held.clear();
    g_released.notify_all();
    g_calls.clear();
    g_interfaces.clear();
    g_module_failures.clear();
}

}  // namespace hal::fake
