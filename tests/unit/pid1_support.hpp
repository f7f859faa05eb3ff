// Test support for PID 1's system half: a fixture tree that stands in for the machine (sysfs,
// procfs, /dev, the image's files) below base/sys/fs.hpp's root, and the log captured line
// by line, so tests assert on what the console would show.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace hal::test {

class FixtureTree {
public:
    FixtureTree();   // a new temporary directory, made the root of every sys:: path
    ~FixtureTree();  // removed, and the real root restored
    FixtureTree(const FixtureTree&) = delete;
    FixtureTree& operator=(const FixtureTree&) = delete;

    const std::string& root() const { return root_; }
    // Writes `content` at `path` (absolute, inside the tree), making its directories.
    void file(const std::string& path, const std::string& content);
    void directory(const std::string& path);
    // A symbolic link at `path` to `target` (relative, or absolute inside the tree).
    void symlink(const std::string& path, const std::string& target);
    void remove(const std::string& path);

private:
    std::string root_;
};

// Every log record while it lives, debug ones included.
class LogCapture {
public:
    LogCapture();
    ~LogCapture();
    std::vector<std::string> lines() const;
    // True when a line contains `text`.
    bool has(const std::string& text) const;
    size_t count(const std::string& text) const;
    // All lines, one per line, for a failed CHECK's message.
    std::string text() const;
};

}  // namespace hal::test
