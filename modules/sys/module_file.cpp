// The compressed file and the inflated module are both mappings, released as soon as the
// kernel has its copy: amdgpu alone is 19 MB inflated, and four loads may run at once.
#include "modules/sys/module_file.hpp"

#include <sys/mman.h>

#include "base/sys/fs.hpp"
#include "modules/compressed_module.hpp"
#include "modules/sys/kernel_module.hpp"

namespace hal::sys {
namespace {

class Mapping {
public:
    Mapping() = default;
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() {
        if (data_ != MAP_FAILED) ::munmap(data_, size_);
    }

    Status map_file(int fd, size_t size) {
        return map(size, PROT_READ, MAP_PRIVATE, fd, "mmap module file");
    }
    Status map_anonymous(size_t size) {
        return map(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, "mmap module");
    }
    void* data() const { return data_; }
    size_t size() const { return size_; }

private:
    Status map(size_t size, int protection, int flags, int fd, const char* operation) {
        data_ = ::mmap(nullptr, size, protection, flags, fd, 0);
        if (data_ == MAP_FAILED) return error_from_errno(operation);
        size_ = size;
        return ok_status();
    }

    void* data_ = MAP_FAILED;
    size_t size_ = 0;
};

Status load_compressed(int fd, const char* path) {
    const uint64_t stored = TRY(file_size(fd));
    if (stored == 0 || stored > kMaxModuleBytes) return Error{"zstd frame", EBADMSG};
    Mapping compressed;
    TRY(compressed.map_file(fd, static_cast<size_t>(stored)));
    const size_t size = TRY(inflated_module_size(compressed.data(), compressed.size()));
    Mapping module;
    TRY(module.map_anonymous(size));
    TRY(inflate_module(compressed.data(), compressed.size(), module.data(), size));
    return load_module_image(module.data(), size, path);
}

}  // namespace

Status load_module(const char* path) {
    const int fd = TRY(open_file(path, kReadOnly));
    const Status status =
        is_compressed_module(path) ? load_compressed(fd, path) : load_module_file(fd, path);
    close_fd(fd);
    return status;
}

}  // namespace hal::sys
