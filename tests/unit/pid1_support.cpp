// The fixture tree on a temporary directory and the log capture behind base/log's hook.
#include "tests/unit/pid1_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"

namespace hal::test {
namespace {

// The module loader logs from its threads.
std::mutex g_mutex;
std::vector<std::string> g_lines;

void capture(log::Level, const char* message) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_lines.emplace_back(message);
}

}  // namespace

FixtureTree::FixtureTree() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/hal-fixture.XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    root_ = pattern;
    sys::set_root(root_.c_str());
}

FixtureTree::~FixtureTree() {
    sys::set_root("");
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

void FixtureTree::file(const std::string& path, const std::string& content) {
    const std::filesystem::path full = root_ + path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << content;
}

void FixtureTree::directory(const std::string& path) {
    std::filesystem::create_directories(root_ + path);
}

void FixtureTree::symlink(const std::string& path, const std::string& target) {
    const std::filesystem::path full = root_ + path;
    std::filesystem::create_directories(full.parent_path());
    std::filesystem::create_symlink(target.front() == '/' ? root_ + target : target, full);
}

void FixtureTree::remove(const std::string& path) {
    std::error_code ignored;
    std::filesystem::remove_all(root_ + path, ignored);
}

LogCapture::LogCapture() {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_lines.clear();
    log::set_debug(true);
    log::set_capture(capture);
}

LogCapture::~LogCapture() {
    log::set_capture(nullptr);
    log::set_debug(false);
}

std::vector<std::string> LogCapture::lines() const {
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_lines;
}

bool LogCapture::has(const std::string& text) const { return count(text) > 0; }

size_t LogCapture::count(const std::string& text) const {
    size_t found = 0;
    for (const auto& line : lines()) found += line.find(text) != std::string::npos;
    return found;
}

std::string LogCapture::text() const {
    std::string all;
    for (const auto& line : lines()) all += line + "\n";
    return all;
}

}  // namespace hal::test
