// Unit tests for the boot timeline: phases, module loads from many threads, both renderings.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "base/timeline.hpp"

using hal::Timeline;

namespace {

std::string json_of(const Timeline& timeline, size_t max_modules = Timeline::kMaxModules) {
    std::string text(64 * 1024, '\0');
    text.resize(timeline.render_json(text.data(), text.size(), max_modules));
    return text;
}

std::string line_of(const Timeline& timeline, size_t capacity) {
    std::string text(capacity, '\0');
    text.resize(timeline.render_line(text.data(), text.size()));
    return text;
}

}  // namespace

TEST_CASE("timeline: phases end where the next begins; exec and module loads in ms since start") {
    Timeline timeline;
    timeline.set_origin(1000);
    timeline.begin("mounts", 1000);
    timeline.begin("config", 1003);
    timeline.begin("disks", 1010);
    timeline.module_load("virtio_blk", 1005, 1025, true);
    timeline.module_load("kvm_amd", 1006, 1007, false);
    timeline.begin("launch", 1200);
    timeline.qemu_exec(1250);
    CHECK(json_of(timeline) ==
          "{\"origin_ms\":1000,\"phases\":[{\"name\":\"mounts\",\"start_ms\":0,\"end_ms\":3},"
          "{\"name\":\"config\",\"start_ms\":3,\"end_ms\":10},"
          "{\"name\":\"disks\",\"start_ms\":10,\"end_ms\":200},"
          "{\"name\":\"launch\",\"start_ms\":200,\"end_ms\":250}],\"qemu_exec_ms\":250,"
          "\"modules\":[{\"name\":\"virtio_blk\",\"start_ms\":5,\"ms\":20,\"loaded\":true},"
          "{\"name\":\"kvm_amd\",\"start_ms\":6,\"ms\":1,\"loaded\":false}],"
          "\"modules_omitted\":0,\"modules_loading\":0,\"modules_done_ms\":null}");
    CHECK(line_of(timeline, 400) ==
          "mounts 0+3 config 3+7 disks 10+190 launch 200+50 exec 250; modules START+MS: "
          "virtio_blk 5+20 kvm_amd 6+1!");
    timeline.modules_done(1300);
    CHECK(json_of(timeline).find("\"modules_done_ms\":300}") != std::string::npos);
}

TEST_CASE("timeline: too small a buffer -> nothing half written; loads beyond the line counted") {
    Timeline timeline;
    timeline.set_origin(0);
    timeline.begin("modules", 0);
    for (int i = 0; i < 40; ++i) timeline.module_load("some_module", i, i + 2, true);
    char tiny[40];
    CHECK(timeline.render_json(tiny, sizeof tiny) == 0);
    const std::string line = line_of(timeline, 200);
    CHECK(line.size() < 200);
    CHECK(line.rfind(" more)") == line.size() - 6);
    CHECK(line.find("(3") != std::string::npos);  // about 30 more of the 40
    const std::string two = json_of(timeline, 2);
    CHECK(two.find("\"modules_omitted\":38") != std::string::npos);
}

TEST_CASE("timeline: module loads recorded from four threads at once are all there") {
    Timeline timeline;
    timeline.set_origin(0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&timeline] {
            for (int i = 0; i < 50; ++i) timeline.module_load("m", 1, 2, true);
        });
    for (auto& thread : threads) thread.join();
    const std::string json = json_of(timeline);
    size_t count = 0;
    for (size_t at = 0; (at = json.find("{\"name\":\"m\"", at)) != std::string::npos; ++at) ++count;
    CHECK(count == 200);
    // Past the capacity: counted, not written out of bounds.
    for (int i = 0; i < 100; ++i) timeline.module_load("m", 1, 2, true);
    CHECK(json_of(timeline).find("\"modules_omitted\":44") != std::string::npos);
}
