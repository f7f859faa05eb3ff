// DRM mode-setting ioctls for one dumb buffer on one connector.
#include "display/sys/drm.hpp"

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hal::sys {
namespace {

constexpr size_t kMaxObjects = 32;
static_assert(sizeof(drm_mode_modeinfo) == 68, "drm_mode_modeinfo layout");

int io(int fd, unsigned long request, void* argument) {
    int result;
    do result = ::ioctl(fd, request, argument);
    while (result < 0 && (errno == EINTR || errno == EAGAIN));
    return result;
}

uint64_t pointer_of(void* pointer) {
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(pointer));
}

// A connected connector with a mode, and the CRTC to show it on.
struct Monitor {
    uint32_t connector = 0;
    uint32_t crtc = 0;
    drm_mode_modeinfo mode{};
};

// The CRTC one of the encoders drives now, else one they can drive; 0: none.
uint32_t crtc_for(int fd, const uint32_t* encoders, uint32_t count, const uint32_t* crtcs,
                  uint32_t crtc_count) {
    for (uint32_t e = 0; e < count; ++e) {
        drm_mode_get_encoder encoder = {};
        encoder.encoder_id = encoders[e];
        if (io(fd, DRM_IOCTL_MODE_GETENCODER, &encoder) < 0) continue;
        if (encoder.crtc_id) return encoder.crtc_id;
        for (uint32_t c = 0; c < crtc_count; ++c)
            if (encoder.possible_crtcs & (1u << c)) return crtcs[c];
    }
    return 0;
}

// Connector `id` when a monitor is connected to it: its preferred mode (else its first).
bool connected_monitor(int fd, uint32_t id, const uint32_t* crtcs, uint32_t crtc_count,
                       Monitor& monitor) {
    drm_mode_modeinfo modes[64];
    uint32_t encoders[kMaxObjects];
    drm_mode_get_connector connector = {};
    connector.connector_id = id;
    if (io(fd, DRM_IOCTL_MODE_GETCONNECTOR, &connector) < 0) return false;
    if (connector.connection != 1 || connector.count_modes == 0) return false;  // 1: connected
    if (connector.count_modes > 64) connector.count_modes = 64;
    if (connector.count_encoders > kMaxObjects) connector.count_encoders = kMaxObjects;
    connector.modes_ptr = pointer_of(modes);
    connector.encoders_ptr = pointer_of(encoders);
    connector.count_props = 0;
    if (io(fd, DRM_IOCTL_MODE_GETCONNECTOR, &connector) < 0) return false;
    uint32_t chosen = 0;
    for (uint32_t m = 0; m < connector.count_modes; ++m)
        if (modes[m].type & DRM_MODE_TYPE_PREFERRED) {
            chosen = m;
            break;
        }
    monitor.crtc = crtc_for(fd, encoders, connector.count_encoders, crtcs, crtc_count);
    monitor.connector = connector.connector_id;
    std::memcpy(&monitor.mode, &modes[chosen], sizeof monitor.mode);
    return monitor.crtc != 0;
}

Status find_monitor(int fd, Monitor& monitor) {
    uint32_t connectors[kMaxObjects], crtcs[kMaxObjects], encoders[kMaxObjects],
        framebuffers[kMaxObjects];
    drm_mode_card_res resources = {};
    if (io(fd, DRM_IOCTL_MODE_GETRESOURCES, &resources) < 0)
        return error_from_errno("DRM_IOCTL_MODE_GETRESOURCES");
    if (resources.count_connectors > kMaxObjects || resources.count_crtcs > kMaxObjects ||
        resources.count_encoders > kMaxObjects || resources.count_fbs > kMaxObjects)
        return Error{"DRM resources (too many)", E2BIG};
    resources.connector_id_ptr = pointer_of(connectors);
    resources.crtc_id_ptr = pointer_of(crtcs);
    resources.encoder_id_ptr = pointer_of(encoders);
    resources.fb_id_ptr = pointer_of(framebuffers);
    if (io(fd, DRM_IOCTL_MODE_GETRESOURCES, &resources) < 0)
        return error_from_errno("DRM_IOCTL_MODE_GETRESOURCES");
    for (uint32_t i = 0; i < resources.count_connectors; ++i)
        if (connected_monitor(fd, connectors[i], crtcs, resources.count_crtcs, monitor))
            return ok_status();
    return Error{"DRM: no connected monitor with a mode", ENODEV};
}

}  // namespace

Status DrmScreen::open(const char* card) {
    close();
    fd_ = ::open(card, O_RDWR | O_CLOEXEC);
    if (fd_ < 0) return error_from_errno("open DRM card");
    Monitor monitor;
    TRY(find_monitor(fd_, monitor));
    crtc_ = monitor.crtc;
    connector_ = monitor.connector;
    std::memcpy(mode_, &monitor.mode, sizeof monitor.mode);
    width_ = monitor.mode.hdisplay;
    height_ = monitor.mode.vdisplay;
    drm_mode_create_dumb create = {};
    create.width = width_;
    create.height = height_;
    create.bpp = 32;
    if (io(fd_, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0)
        return error_from_errno("DRM_IOCTL_MODE_CREATE_DUMB");
    handle_ = create.handle;
    stride_ = create.pitch;
    size_ = create.size;
    drm_mode_fb_cmd framebuffer = {};
    framebuffer.width = width_;
    framebuffer.height = height_;
    framebuffer.pitch = create.pitch;
    framebuffer.bpp = 32;
    framebuffer.depth = 24;
    framebuffer.handle = handle_;
    if (io(fd_, DRM_IOCTL_MODE_ADDFB, &framebuffer) < 0)
        return error_from_errno("DRM_IOCTL_MODE_ADDFB");
    framebuffer_ = framebuffer.fb_id;
    drm_mode_map_dumb map = {};
    map.handle = handle_;
    if (io(fd_, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0)
        return error_from_errno("DRM_IOCTL_MODE_MAP_DUMB");
    void* mapped = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                          static_cast<off_t>(map.offset));
    if (mapped == MAP_FAILED) return error_from_errno("mmap DRM buffer");
    pixels_ = static_cast<uint8_t*>(mapped);
    std::memset(pixels_, 0, size_);
    return ok_status();
}

Status DrmScreen::show() {
    drm_mode_crtc crtc = {};
    crtc.crtc_id = crtc_;
    crtc.fb_id = framebuffer_;
    crtc.set_connectors_ptr = pointer_of(&connector_);
    crtc.count_connectors = 1;
    std::memcpy(&crtc.mode, mode_, sizeof crtc.mode);
    crtc.mode_valid = 1;
    if (io(fd_, DRM_IOCTL_MODE_SETCRTC, &crtc) < 0)
        return error_from_errno("DRM_IOCTL_MODE_SETCRTC");
    shown_ = true;
    return ok_status();
}

void DrmScreen::flush(const Rect& region) {
    if (!shown_ || region.empty()) return;
    drm_clip_rect clip = {static_cast<unsigned short>(region.x),
                          static_cast<unsigned short>(region.y),
                          static_cast<unsigned short>(region.x + region.width),
                          static_cast<unsigned short>(region.y + region.height)};
    drm_mode_fb_dirty_cmd dirty = {};
    dirty.fb_id = framebuffer_;
    dirty.num_clips = 1;
    dirty.clips_ptr = pointer_of(&clip);
    // Drivers that scan memory out directly refuse it; that is fine.
    (void)io(fd_, DRM_IOCTL_MODE_DIRTYFB, &dirty);
}

void DrmScreen::close() {
    if (pixels_) ::munmap(pixels_, size_);
    pixels_ = nullptr;
    if (fd_ >= 0) {
        if (framebuffer_) (void)io(fd_, DRM_IOCTL_MODE_RMFB, &framebuffer_);
        if (handle_) {
            drm_mode_destroy_dumb destroy = {handle_};
            (void)io(fd_, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
        }
        ::close(fd_);
    }
    fd_ = -1;
    connector_ = crtc_ = framebuffer_ = handle_ = 0;
    shown_ = false;
}

}  // namespace hal::sys
