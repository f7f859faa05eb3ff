/* guest-tool: what the real Linux test guest reports about the machine it boots on, and the
 * workloads it runs. Runs inside the guest's busybox initramfs; every report is one line on
 * the serial console starting with GUEST-, which the boot tests match exactly.
 *
 *   guest-tool facts          firmware mode, DMI, disks with their identities, ACPI tables,
 *                             CPU topology, NICs
 *   guest-tool efivar         reads HalPersist (a UEFI variable); writes it when absent
 *   guest-tool paint R G B    fills /dev/fb0 with one colour and a white 64x64 square at 0,0
 *   guest-tool flip COUNT     on each key press fills the screen with the next of red and
 *                             green, COUNT times, reporting each once it is drawn
 *   guest-tool storm SECONDS  repaints the whole screen, red and green in turn, as fast as it
 *                             can, and reports the frames drawn
 *   guest-tool input SECONDS  reports key, relative and absolute pointer events
 *   guest-tool powerbutton    returns when a power button (KEY_POWER) is pressed
 *   guest-tool soak DIR       writes checksummed files, fsync'd, until stopped
 *   guest-tool verify DIR     checks every file soak reported against its checksum
 *   guest-tool tpm            the TPM's version (sysfs) and manufacturer (TPM2_GetCapability)
 *   guest-tool readbench SERIAL  the disk with that serial read with O_DIRECT: sequentially in
 *                             1 MiB blocks (MiB/s) and in 4 KiB blocks at random offsets (IOPS)
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <linux/input.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int read_text(const char* path, char* buffer, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t got = read(fd, buffer, size - 1);
    close(fd);
    if (got < 0) return -1;
    buffer[got] = '\0';
    while (got > 0 && (buffer[got - 1] == '\n' || buffer[got - 1] == ' ')) buffer[--got] = '\0';
    return (int)got;
}

/* Leading/trailing blanks removed, inner blanks turned into '_' so a value is one word. */
static const char* word(char* text) {
    while (*text == ' ') ++text;
    size_t length = strlen(text);
    while (length > 0 && text[length - 1] == ' ') text[--length] = '\0';
    for (char* c = text; *c; ++c)
        if (*c == ' ' || *c == '\t' || *c == '\n') *c = '_';
    return *text ? text : "-";
}

static void report_dmi(void) {
    static const char* const fields[] = {"sys_vendor",     "product_name",  "product_serial",
                                         "product_uuid",   "board_vendor",  "board_name",
                                         "board_serial",   "bios_vendor",   "bios_version",
                                         "chassis_vendor", "chassis_serial"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i) {
        char path[600], value[256];
        snprintf(path, sizeof path, "/sys/class/dmi/id/%s", fields[i]);
        if (read_text(path, value, sizeof value) >= 0)
            printf("GUEST-DMI %s=%s\n", fields[i], word(value));
    }
}

/* SCSI VPD page 0x80 (unit serial number): 4 header bytes, then the serial. */
static int vpd_serial(const char* disk, char* out, size_t size) {
    char path[600];
    unsigned char page[256];
    snprintf(path, sizeof path, "/sys/block/%s/device/vpd_pg80", disk);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t got = read(fd, page, sizeof page);
    close(fd);
    if (got < 4) return -1;
    size_t length = (size_t)page[3];
    if (length > (size_t)got - 4) length = (size_t)got - 4;
    if (length >= size) length = size - 1;
    memcpy(out, page + 4, length);
    out[length] = '\0';
    return 0;
}

static void disk_attribute(const char* disk, const char* const* files, char* out, size_t size) {
    strcpy(out, "-");
    for (; *files; ++files) {
        char path[600];
        snprintf(path, sizeof path, "/sys/block/%s/%s", disk, *files);
        if (read_text(path, out, size) > 0) return;
    }
    strcpy(out, "-");
}

static int by_name(const struct dirent** a, const struct dirent** b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void report_disks(void) {
    static const char* const serial_files[] = {"serial", "device/serial", NULL};
    static const char* const model_files[] = {"device/model", NULL};
    static const char* const wwid_files[] = {"wwid", "device/wwid", NULL};
    static const char* const eui_files[] = {"eui", NULL};
    struct dirent** names;
    int count = scandir("/sys/block", &names, NULL, by_name);
    for (int i = 0; i < count; ++i) {
        const char* disk = names[i]->d_name;
        if (disk[0] == '.' || !strncmp(disk, "loop", 4) || !strncmp(disk, "ram", 3)) continue;
        char serial[128], model[128], wwid[192], eui[64], size[32], path[600];
        disk_attribute(disk, serial_files, serial, sizeof serial);
        if (!strcmp(serial, "-") && vpd_serial(disk, serial, sizeof serial) != 0)
            strcpy(serial, "-");
        disk_attribute(disk, model_files, model, sizeof model);
        disk_attribute(disk, wwid_files, wwid, sizeof wwid);
        disk_attribute(disk, eui_files, eui, sizeof eui);
        snprintf(path, sizeof path, "/sys/block/%s/size", disk);
        if (read_text(path, size, sizeof size) < 0) strcpy(size, "0");
        printf("GUEST-DISK %s serial=%s model=%s wwid=%s eui=%s sectors=%s\n", disk, word(serial),
               word(model), word(wwid), word(eui), size);
    }
    for (int i = 0; i < count; ++i) free(names[i]);
    if (count >= 0) free(names);
}

static void report_acpi_tables(void) {
    DIR* dir = opendir("/sys/firmware/acpi/tables");
    if (!dir) return;
    struct dirent* entry;
    while ((entry = readdir(dir)))
        if (!strcmp(entry->d_name, "MSDM") || !strcmp(entry->d_name, "SLIC")) {
            char path[600];
            struct stat info;
            snprintf(path, sizeof path, "/sys/firmware/acpi/tables/%s", entry->d_name);
            unsigned char data[4096];
            int fd = open(path, O_RDONLY);
            ssize_t got = fd >= 0 ? read(fd, data, sizeof data) : -1;
            if (fd >= 0) close(fd);
            (void)stat(path, &info);
            /* The OEM licence key of an MSDM table sits after its 56-byte header+fields. */
            printf("GUEST-ACPI %s bytes=%zd", entry->d_name, got);
            if (!strcmp(entry->d_name, "MSDM") && got > 56)
                printf(" key=%.*s", (int)(got - 56), data + 56);
            printf("\n");
        }
    closedir(dir);
}

static void report_cpus(void) {
    FILE* file = fopen("/proc/cpuinfo", "r");
    if (!file) return;
    char line[512];
    int logical = 0, packages[64] = {0}, package_count = 0, cores = 0, siblings = 0;
    while (fgets(line, sizeof line, file)) {
        int value;
        if (!strncmp(line, "processor", 9)) ++logical;
        if (sscanf(line, "physical id : %d", &value) == 1) {
            int known = 0;
            for (int i = 0; i < package_count; ++i) known |= packages[i] == value;
            if (!known && package_count < 64) packages[package_count++] = value;
        }
        if (sscanf(line, "cpu cores : %d", &value) == 1) cores = value;
        if (sscanf(line, "siblings : %d", &value) == 1) siblings = value;
    }
    fclose(file);
    int threads = cores > 0 ? siblings / cores : 1;
    printf("GUEST-CPU logical=%d sockets=%d cores=%d threads=%d\n", logical, package_count, cores,
           threads);
}

static void report_nics(void) {
    struct dirent** names;
    int count = scandir("/sys/class/net", &names, NULL, by_name);
    for (int i = 0; i < count; ++i) {
        char path[600], mac[64];
        snprintf(path, sizeof path, "/sys/class/net/%s/address", names[i]->d_name);
        if (names[i]->d_name[0] != '.' && strcmp(names[i]->d_name, "lo") &&
            read_text(path, mac, sizeof mac) > 0)
            printf("GUEST-NIC %s mac=%s\n", names[i]->d_name, mac);
        free(names[i]);
    }
    if (count >= 0) free(names);
}

static int facts(void) {
    struct stat info;
    printf("GUEST-FIRMWARE %s\n", stat("/sys/firmware/efi", &info) == 0 ? "uefi" : "bios");
    report_dmi();
    report_disks();
    report_acpi_tables();
    report_cpus();
    report_nics();
    return 0;
}

/* A variable of our own vendor GUID; efivarfs files are 4 bytes of attributes, then the data. */
#define EFIVAR_PATH "/sys/firmware/efi/efivars/HalPersist-5b1e3c1e-8e6d-4a8a-9b0f-4d2c6a6f0a11"

static int efivar(const char* value) {
    unsigned char data[128];
    int fd = open(EFIVAR_PATH, O_RDONLY);
    if (fd >= 0) {
        ssize_t got = read(fd, data, sizeof data);
        close(fd);
        if (got > 4) {
            printf("GUEST-EFIVAR found %.*s\n", (int)(got - 4), data + 4);
            return 0;
        }
    }
    /* non-volatile | boot service access | runtime access */
    const uint32_t attributes = 0x7;
    size_t length = strlen(value);
    memcpy(data, &attributes, 4);
    memcpy(data + 4, value, length);
    fd = open(EFIVAR_PATH, O_WRONLY | O_CREAT, 0644);
    if (fd < 0 || write(fd, data, 4 + length) != (ssize_t)(4 + length)) {
        printf("GUEST-EFIVAR write failed: %s\n", strerror(errno));
        return 1;
    }
    close(fd);
    printf("GUEST-EFIVAR written %s\n", value);
    return 0;
}

struct screen {
    struct fb_var_screeninfo var;
    struct fb_fix_screeninfo fix;
    uint8_t* pixels;
    size_t size;
};

/* Maps /dev/fb0 (32 bits a pixel); reports why not on a `tag` line. */
static int open_screen(struct screen* screen, const char* tag) {
    int fd = open("/dev/fb0", O_RDWR);
    if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &screen->var) != 0 ||
        ioctl(fd, FBIOGET_FSCREENINFO, &screen->fix) != 0) {
        printf("%s no framebuffer: %s\n", tag, strerror(errno));
        return -1;
    }
    if (screen->var.bits_per_pixel != 32) {
        printf("%s unsupported depth %u\n", tag, screen->var.bits_per_pixel);
        return -1;
    }
    screen->size = (size_t)screen->fix.line_length * screen->var.yres;
    screen->pixels = mmap(NULL, screen->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (screen->pixels == MAP_FAILED) {
        printf("%s mmap failed: %s\n", tag, strerror(errno));
        return -1;
    }
    return 0;
}

/* The whole screen in one colour; a white 64x64 square at 0,0 when `square`. */
static void fill(const struct screen* screen, uint32_t red, uint32_t green, uint32_t blue,
                 int square) {
    const struct fb_var_screeninfo* var = &screen->var;
    uint32_t colour =
        (red << var->red.offset) | (green << var->green.offset) | (blue << var->blue.offset);
    uint32_t white =
        (255u << var->red.offset) | (255u << var->green.offset) | (255u << var->blue.offset);
    for (uint32_t y = 0; y < var->yres; ++y) {
        uint32_t* row = (uint32_t*)(screen->pixels + (size_t)y * screen->fix.line_length);
        for (uint32_t x = 0; x < var->xres; ++x)
            row[x] = square && x < 64 && y < 64 ? white : colour;
    }
    msync(screen->pixels, screen->size, MS_SYNC);
}

static int paint(int red, int green, int blue) {
    struct screen screen;
    if (open_screen(&screen, "GUEST-PAINT") != 0) return 1;
    fill(&screen, (uint32_t)red, (uint32_t)green, (uint32_t)blue, 1);
    printf("GUEST-PAINT %ux%u rgb=%d,%d,%d\n", screen.var.xres, screen.var.yres, red, green, blue);
    return 0;
}

static double now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int storm(int seconds) {
    struct screen screen;
    if (open_screen(&screen, "GUEST-STORM") != 0) return 1;
    printf("GUEST-STORM start %ux%u\n", screen.var.xres, screen.var.yres);
    fflush(stdout);
    double start = now_seconds(), elapsed = 0;
    unsigned frames = 0;
    while ((elapsed = now_seconds() - start) < seconds) {
        fill(&screen, frames % 2 ? 0 : 255, frames % 2 ? 255 : 0, 0, 0);
        ++frames;
    }
    printf("GUEST-STORM end %u frames in %.2f s (%.1f/s)\n", frames, elapsed, frames / elapsed);
    return 0;
}

/* Opens every /dev/input/event* (only those that can report KEY_POWER when `power_only`)
 * into `fds`; reports each device's name unless `power_only`. Returns how many. */
static int open_event_devices(struct pollfd* fds, int capacity, int power_only) {
    int count = 0;
    DIR* dir = opendir("/dev/input");
    struct dirent* entry;
    while (dir && (entry = readdir(dir)) && count < capacity) {
        if (strncmp(entry->d_name, "event", 5)) continue;
        char path[600], name[128] = "?";
        unsigned char keys[KEY_MAX / 8 + 1] = {0};
        snprintf(path, sizeof path, "/dev/input/%s", entry->d_name);
        int fd = open(path, O_RDONLY | O_NONBLOCK);
        if (fd < 0) continue;
        if (power_only && (ioctl(fd, EVIOCGBIT(EV_KEY, sizeof keys), keys) < 0 ||
                           !(keys[KEY_POWER / 8] & (1 << (KEY_POWER % 8))))) {
            close(fd);
            continue;
        }
        if (!power_only) {
            ioctl(fd, EVIOCGNAME(sizeof name), name);
            printf("GUEST-INPUT-DEVICE %s %s\n", entry->d_name, word(name));
        }
        fds[count].fd = fd;
        fds[count++].events = POLLIN;
    }
    if (dir) closedir(dir);
    return count;
}

static int input(int seconds) {
    struct pollfd fds[16];
    int count = open_event_devices(fds, 16, 0);
    printf("GUEST-INPUT-READY %d devices\n", count);
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        if (poll(fds, (nfds_t)count, 500) <= 0) continue;
        for (int i = 0; i < count; ++i) {
            struct input_event event;
            while (read(fds[i].fd, &event, sizeof event) == sizeof event) {
                if (event.type == EV_KEY && event.value == 1) printf("GUEST-KEY %u\n", event.code);
                if (event.type == EV_REL) printf("GUEST-REL %u %d\n", event.code, event.value);
                if (event.type == EV_ABS) printf("GUEST-ABS %u %d\n", event.code, event.value);
            }
        }
        fflush(stdout);
    }
    return 0;
}

static int flip(int count) {
    struct screen screen;
    if (open_screen(&screen, "GUEST-FLIP") != 0) return 1;
    struct pollfd fds[16];
    int devices = open_event_devices(fds, 16, 0);
    printf("GUEST-FLIP-READY %d devices %ux%u\n", devices, screen.var.xres, screen.var.yres);
    fflush(stdout);
    for (int flips = 0; flips < count;) {
        if (poll(fds, (nfds_t)devices, -1) <= 0) continue;
        for (int i = 0; i < devices; ++i) {
            struct input_event event;
            while (read(fds[i].fd, &event, sizeof event) == sizeof event) {
                if (event.type != EV_KEY || event.value != 1 || flips >= count) continue;
                int red = flips % 2 == 0;
                fill(&screen, red ? 255 : 0, red ? 0 : 255, 0, 0);
                printf("GUEST-FLIP %d rgb=%s\n", flips++, red ? "255,0,0" : "0,255,0");
                fflush(stdout);
            }
        }
    }
    return 0;
}

static int power_button(void) {
    struct pollfd fds[16];
    int count = open_event_devices(fds, 16, 1);
    printf("GUEST-WAITING power button (%d devices)\n", count);
    fflush(stdout);
    while (1) {
        if (poll(fds, (nfds_t)count, -1) <= 0) continue;
        for (int i = 0; i < count; ++i) {
            struct input_event event;
            while (read(fds[i].fd, &event, sizeof event) == sizeof event)
                if (event.type == EV_KEY && event.code == KEY_POWER && event.value == 1) return 0;
        }
    }
}

/* FNV-1a over the file's bytes: enough to tell a torn or stale file from the one written. */
static uint64_t checksum(const unsigned char* data, size_t size) {
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 1099511628211ull;
    return hash;
}

static int soak(const char* directory) {
    static unsigned char block[64 * 1024];
    uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)getpid();
    for (unsigned serial = 0;; ++serial) {
        size_t size = 4096 + (size_t)(seed % (sizeof block - 4096));
        for (size_t i = 0; i < size; ++i) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            block[i] = (unsigned char)(seed >> 56);
        }
        char path[600], temporary[256];
        snprintf(path, sizeof path, "%s/f%03u", directory, serial % 200);
        snprintf(temporary, sizeof temporary, "%s/.tmp", directory);
        int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, block, size) != (ssize_t)size || fsync(fd) != 0) {
            printf("GUEST-SOAK write failed: %s\n", strerror(errno));
            return 1;
        }
        close(fd);
        if (rename(temporary, path) != 0) return 1;
        int dir = open(directory, O_RDONLY);
        if (dir >= 0) {
            fsync(dir);
            close(dir);
        }
        printf("GUEST-FSYNCED %s %016llx\n", path, (unsigned long long)checksum(block, size));
        fflush(stdout);
    }
}

static int verify(const char* directory) {
    static unsigned char data[64 * 1024];
    struct dirent** names;
    int count = scandir(directory, &names, NULL, by_name);
    for (int i = 0; i < count; ++i) {
        if (names[i]->d_name[0] == 'f') {
            char path[600];
            snprintf(path, sizeof path, "%s/%s", directory, names[i]->d_name);
            int fd = open(path, O_RDONLY);
            ssize_t got = fd >= 0 ? read(fd, data, sizeof data) : -1;
            if (fd >= 0) close(fd);
            printf("GUEST-FILE %s %016llx\n", path,
                   got < 0 ? 0ull : (unsigned long long)checksum(data, (size_t)got));
        }
        free(names[i]);
    }
    if (count >= 0) free(names);
    return 0;
}

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* The whole disk (at most 256 MiB) in 1 MiB reads, then 4 KiB reads at random aligned offsets
 * for two seconds; O_DIRECT, so the guest's page cache is not what is measured. */
static int readbench(const char* wanted) {
    static const char* const serial_files[] = {"serial", "device/serial", NULL};
    struct dirent** names;
    int count = scandir("/sys/block", &names, NULL, by_name);
    char disk[64] = "";
    for (int i = 0; i < count; ++i) {
        char serial[128];
        disk_attribute(names[i]->d_name, serial_files, serial, sizeof serial);
        if (!strcmp(serial, "-") && vpd_serial(names[i]->d_name, serial, sizeof serial) != 0)
            strcpy(serial, "-");
        if (!disk[0] && !strcmp(serial, wanted) && strlen(names[i]->d_name) < sizeof disk)
            memcpy(disk, names[i]->d_name, strlen(names[i]->d_name) + 1);
        free(names[i]);
    }
    if (count >= 0) free(names);
    char path[96];
    snprintf(path, sizeof path, "/dev/%s", disk);
    int fd = disk[0] ? open(path, O_RDONLY | O_DIRECT) : -1;
    void* buffer = NULL;
    if (fd < 0 || posix_memalign(&buffer, 4096, 1 << 20) != 0) {
        printf("GUEST-READBENCH %s none\n", wanted);
        return 1;
    }
    long long total = 0;
    double started = seconds_now();
    ssize_t got;
    while (total < (256LL << 20) && (got = read(fd, buffer, 1 << 20)) > 0) total += got;
    const double sequential = (double)total / (1 << 20) / (seconds_now() - started);
    unsigned long long state = 88172645463325252ULL, reads = 0;
    const long long blocks = total / 4096;
    started = seconds_now();
    while (blocks > 0 && seconds_now() - started < 2.0) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        if (pread(fd, buffer, 4096, (off_t)(state % (unsigned long long)blocks) * 4096) != 4096)
            break;
        ++reads;
    }
    const double iops = (double)reads / (seconds_now() - started);
    close(fd);
    free(buffer);
    printf("GUEST-READBENCH %s disk=%s bytes=%lld seq_mib_s=%.1f rand4k_iops=%.0f\n", wanted, disk,
           total, sequential, iops);
    return 0;
}

/* TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES, TPM_PT_MANUFACTURER, 1), no sessions: the
 * manufacturer is four ASCII characters ("IBM " for libtpms, which swtpm runs). */
static int tpm(void) {
    char version[16] = "-";
    if (read_text("/sys/class/tpm/tpm0/tpm_version_major", version, sizeof version) <= 0) {
        printf("GUEST-TPM none\n");
        return 0;
    }
    /* clang-format off */
    static const unsigned char command[] = {
        0x80, 0x01,             /* TPM_ST_NO_SESSIONS */
        0, 0, 0, 22,            /* command size */
        0, 0, 0x01, 0x7a,       /* TPM_CC_GetCapability */
        0, 0, 0, 6,             /* TPM_CAP_TPM_PROPERTIES */
        0, 0, 0x01, 0x05,       /* TPM_PT_MANUFACTURER */
        0, 0, 0, 1,             /* one property */
    };
    /* clang-format on */
    unsigned char reply[64];
    int fd = open("/dev/tpm0", O_RDWR);
    ssize_t got = -1;
    if (fd >= 0 && write(fd, command, sizeof command) == (ssize_t)sizeof command)
        got = read(fd, reply, sizeof reply);
    if (fd >= 0) close(fd);
    /* header (10), moreData (1), capability (4), count (4), property (4), value (4) */
    char maker[5] = "?";
    if (got >= 27 && reply[6] == 0 && reply[7] == 0 && reply[8] == 0 && reply[9] == 0) {
        memcpy(maker, reply + 23, 4);
        maker[4] = 0;
        for (int i = 3; i >= 0 && maker[i] == ' '; --i) maker[i] = 0;
    }
    printf("GUEST-TPM version=%s manufacturer=%s\n", version, maker);
    return 0;
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "facts")) return facts();
    if (argc >= 3 && !strcmp(argv[1], "efivar")) return efivar(argv[2]);
    if (argc >= 5 && !strcmp(argv[1], "paint"))
        return paint(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (argc >= 3 && !strcmp(argv[1], "input")) return input(atoi(argv[2]));
    if (argc >= 3 && !strcmp(argv[1], "flip")) return flip(atoi(argv[2]));
    if (argc >= 3 && !strcmp(argv[1], "storm")) return storm(atoi(argv[2]));
    if (argc >= 2 && !strcmp(argv[1], "powerbutton")) return power_button();
    if (argc >= 3 && !strcmp(argv[1], "soak")) return soak(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "verify")) return verify(argv[2]);
    if (argc >= 2 && !strcmp(argv[1], "tpm")) return tpm();
    if (argc >= 3 && !strcmp(argv[1], "readbench")) return readbench(argv[2]);
    fprintf(stderr,
            "usage: guest-tool facts|efivar VALUE|paint R G B|input SECONDS|flip COUNT|storm "
            "SECONDS|powerbutton|"
            "soak DIR|verify DIR|tpm|readbench SERIAL\n");
    return 2;
}
