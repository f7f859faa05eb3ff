// sysfs attributes through the fs wrappers.
#include "base/sys/attribute.hpp"

#include <cerrno>
#include <cstring>

#include "base/sys/fs.hpp"
#include "base/text.hpp"

namespace hal::sys {
namespace {

bool join(FixedString<kPathCapacity>& path, std::string_view directory, std::string_view name) {
    return path.assign(directory) && path.append('/') && path.append(name);
}

}  // namespace

Result<std::string_view> read_attribute(std::string_view directory, std::string_view name,
                                        char* buffer, size_t capacity) {
    FixedString<kPathCapacity> path;
    if (!join(path, directory, name)) return Error{"attribute path", ENAMETOOLONG};
    const size_t size = TRY(read_file(path.c_str(), buffer, capacity));
    return trim({buffer, size});
}

uint64_t read_number_attribute(std::string_view directory, std::string_view name,
                               uint64_t fallback) {
    char buffer[32];
    const auto text = read_attribute(directory, name, buffer, sizeof buffer);
    return text.ok() ? parse_unsigned(text.value()).value_or(fallback) : fallback;
}

bool attribute_exists(std::string_view directory, std::string_view name) {
    FixedString<kPathCapacity> path;
    return join(path, directory, name) && path_exists(path.c_str());
}

const char* bound_driver(std::string_view directory, char* buffer, size_t capacity,
                         const char* fallback) {
    FixedString<kPathCapacity> link;
    if (!join(link, directory, "device/driver") || !read_link(link.c_str(), buffer, capacity).ok())
        return fallback;
    const char* slash = std::strrchr(buffer, '/');
    return slash ? slash + 1 : buffer;
}

}  // namespace hal::sys
