# mkinitrd-hal: the one entry point. `make` builds, `make run` boots the image in QEMU,
# `make check` runs every test. Each target installs its Debian packages first.

BUILD := build
PYTHON := /usr/bin/python3
DEPS_STAMP := $(BUILD)/.deps-checked

# hal-init: static, musl, C++20 from header-only parts of libstdc++ (Debian has no musl
# libstdc++): g++ driven by musl's specs, no exceptions, no RTTI.
INIT_CXX := g++ -specs /usr/lib/x86_64-linux-musl/musl-gcc.specs
INIT_CXXFLAGS := -std=c++20 -Os -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections \
	-D'__GLIBC_PREREQ(a,b)=0' -isystem /usr/include/c++/12 \
	-isystem /usr/include/x86_64-linux-gnu/c++/12 -isystem $(BUILD)/musl-include -I. \
	-Wall -Wextra -Werror
# Linked by the C driver: no libstdc++ (Debian's is built for glibc); base/sys/cxx_support.cpp
# provides the single hook the headers need.
INIT_LD := gcc -specs /usr/lib/x86_64-linux-musl/musl-gcc.specs
INIT_LDFLAGS := -static -s -Wl,--gc-sections
# Debian's libfdt.a needs only string functions, and libzstd.a's decoder (for .ko.zst modules)
# only memory ones, so both link into the musl binary as they are.
INIT_LIBS := /usr/lib/x86_64-linux-gnu/libfdt.a /usr/lib/x86_64-linux-gnu/libzstd.a

HOST_CXX := g++
HOST_CXXFLAGS := -std=c++20 -O2 -g -I. -Wall -Wextra -Werror
TEST_CXXFLAGS := -std=c++20 -O1 -g -I. -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
HOST_LIBS := -larchive -lz -llzma -lzstd -llz4 -lfdt -pthread
TEST_LIBS := $(HOST_LIBS)

# The code is one folder per capability (README.md, "Layout"): its pure half (parsers,
# planners, state machines: no system calls) beside its system half in CAPABILITY/sys/, over
# the ground floor base/ (base/sys/: the syscall wrappers). config/ and launcher/ are pure;
# init/ is hal-init's boot plan, display/main.cpp hal-display's, initrd/ the packer's.
CAPABILITIES := devices modules disks platform net display supervision passthrough fallback
PURE_SOURCES := $(wildcard base/*.cpp) $(foreach dir,$(CAPABILITIES) config launcher,$(filter-out display/main.cpp,$(wildcard $(dir)/*.cpp)))
BASE_SYSTEM_SOURCES := $(wildcard base/sys/*.cpp)
# hal-display's own devices (DRM, fbdev, evdev); the rest of display/sys/ is hal-init's side.
DISPLAY_DEVICE_SOURCES := display/sys/drm.cpp display/sys/fbdev.cpp display/sys/input.cpp
SYSTEM_SOURCES := $(filter-out $(DISPLAY_DEVICE_SOURCES),$(foreach dir,$(CAPABILITIES),$(wildcard $(dir)/sys/*.cpp)))
INIT_SOURCES := $(wildcard init/*.cpp) $(PURE_SOURCES) $(SYSTEM_SOURCES) $(BASE_SYSTEM_SOURCES)
# The packer (initrd/), the image readers it and --list/--verify share (image/), and those
# two (inspect/).
PACKER_LIB_SOURCES := $(filter-out initrd/main.cpp,$(wildcard initrd/*.cpp)) $(wildcard image/*.cpp inspect/*.cpp) $(PURE_SOURCES)
UNIT_SOURCES := $(shell find tests/unit -name '*.cpp')
# hal-display: its pure half (RFB, keymap, hotkey filter, pointer, layout, menu) is unit-tested;
# its program links its devices and the ground floor.
DISPLAY_PURE_SOURCES := $(filter-out display/main.cpp,$(wildcard display/*.cpp))
DISPLAY_SOURCES := display/main.cpp $(DISPLAY_PURE_SOURCES) $(DISPLAY_DEVICE_SOURCES) $(BASE_SYSTEM_SOURCES)
DISPLAY_OBJECTS := $(DISPLAY_SOURCES:%.cpp=$(BUILD)/musl/%.o)

INIT_OBJECTS := $(INIT_SOURCES:%.cpp=$(BUILD)/musl/%.o)
PACKER_OBJECTS := $(PACKER_LIB_SOURCES:%.cpp=$(BUILD)/host/%.o) $(BUILD)/host/initrd/main.o
# PID 1's system half runs in the unit tests too, on glibc, with sysfs and /dev from fixture
# trees (base/sys/fs.hpp's root) and these files swapped at link time for the fakes in
# tests/unit/fakes/: the calls a test cannot make (mount, reboot, finit_module, rtnetlink).
FAKED_SOURCES := base/sys/mount.cpp base/sys/power.cpp modules/sys/kernel_module.cpp net/sys/rtnetlink.cpp
UNIT_SYSTEM_SOURCES := $(filter-out base/sys/cxx_support.cpp $(FAKED_SOURCES),$(BASE_SYSTEM_SOURCES) $(SYSTEM_SOURCES))
UNIT_OBJECTS := $(sort $(PACKER_LIB_SOURCES:%.cpp=$(BUILD)/asan/%.o) $(DISPLAY_PURE_SOURCES:%.cpp=$(BUILD)/asan/%.o) \
	$(UNIT_SYSTEM_SOURCES:%.cpp=$(BUILD)/asan/%.o)) $(UNIT_SOURCES:%.cpp=$(BUILD)/asan/%.o)

KERNEL_ROOT_FILE := $(BUILD)/kernel-root
IMAGE := $(BUILD)/hal.img
DEMO_DISK := $(BUILD)/demo-disk.img

.PHONY: all deps run check unit boot bench soak soak-memory fuzz fuzz-campaign fuzz-merge image qemu-static fresh-check install man clean
all: $(BUILD)/hal-init $(BUILD)/hal-display $(BUILD)/mkinitrd-hal

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	bash scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

# musl's include path lacks the kernel's UAPI headers (linux/, asm/, drm/), libfdt's and libzstd's;
# point at Debian's, and at nothing else of glibc's /usr/include.
KERNEL_HEADERS_STAMP := $(BUILD)/musl-include/.ready
$(KERNEL_HEADERS_STAMP): Makefile | $(DEPS_STAMP)
	@mkdir -p $(@D)
	ln -sfn /usr/include/linux $(@D)/linux
	ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	ln -sfn /usr/include/x86_64-linux-gnu/asm $(@D)/asm
	ln -sfn /usr/include/libdrm $(@D)/drm
	for header in libfdt.h libfdt_env.h fdt.h zstd.h zstd_errors.h; do ln -sfn /usr/include/$$header $(@D)/$$header; done
	@touch $@

$(BUILD)/musl/%.o: %.cpp | $(DEPS_STAMP) $(KERNEL_HEADERS_STAMP)
	@mkdir -p $(@D)
	@echo "  CXX (musl) $<"
	@$(INIT_CXX) $(INIT_CXXFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host/%.o: %.cpp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CXX $<"
	@$(HOST_CXX) $(HOST_CXXFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/asan/%.o: %.cpp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CXX (asan) $<"
	@$(HOST_CXX) $(TEST_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hal-init: $(INIT_OBJECTS)
	$(INIT_LD) $(INIT_LDFLAGS) $^ $(INIT_LIBS) -o $@
# The test build of hal-init: the same code plus fault injection (init/test_hooks.cpp), for
# boot tests only; images built for machines pack build/hal-init.
TEST_INIT_OBJECTS := $(INIT_SOURCES:%.cpp=$(BUILD)/musl-test/%.o)
$(BUILD)/musl-test/%.o: %.cpp | $(DEPS_STAMP) $(KERNEL_HEADERS_STAMP)
	@mkdir -p $(@D)
	@echo "  CXX (musl, test hooks) $<"
	@$(INIT_CXX) $(INIT_CXXFLAGS) -DHAL_TEST_HOOKS -MMD -MP -c $< -o $@
$(BUILD)/hal-init-test: $(TEST_INIT_OBJECTS)
	$(INIT_LD) $(INIT_LDFLAGS) $^ $(INIT_LIBS) -o $@

$(BUILD)/hal-display: $(DISPLAY_OBJECTS)
	$(INIT_LD) $(INIT_LDFLAGS) $^ -o $@
$(BUILD)/mkinitrd-hal: $(PACKER_OBJECTS)
	$(HOST_CXX) $(HOST_CXXFLAGS) $^ -o $@ $(HOST_LIBS)
$(BUILD)/unit-tests: $(UNIT_OBJECTS)
	$(HOST_CXX) $(TEST_CXXFLAGS) $^ -o $@ $(TEST_LIBS)

# ELF fixtures: a program that finds its library through RUNPATH $ORIGIN/../lib.
ELF_FIXTURES := $(BUILD)/fixtures/elf/bin/fixture_program
$(BUILD)/fixtures/elf/lib/libfixture.so: tests/fixtures/elf/fixture_library.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc -shared -fPIC -o $@ $<
$(ELF_FIXTURES): tests/fixtures/elf/fixture_program.c $(BUILD)/fixtures/elf/lib/libfixture.so
	@mkdir -p $(@D)
	gcc -o $@ $< -L$(BUILD)/fixtures/elf/lib -lfixture -Wl,--enable-new-dtags,-rpath,'$$ORIGIN/../lib'

# Device trees for the libfdt reader's tests, compiled by dtc as a bootloader's would be.
DT_FIXTURES := $(patsubst tests/fixtures/device_tree/%.dts,$(BUILD)/fixtures/device_tree/%.dtb,$(wildcard tests/fixtures/device_tree/*.dts))
$(BUILD)/fixtures/device_tree/%.dtb: tests/fixtures/device_tree/%.dts | $(DEPS_STAMP)
	@mkdir -p $(@D)
	dtc -q -I dts -O dtb -o $@ $<
FIXTURES := $(ELF_FIXTURES) $(DT_FIXTURES)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The Debian test kernel, cached outside the repository; its root path lands in a file.
$(KERNEL_ROOT_FILE): scripts/fetch-kernel.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	bash scripts/fetch-kernel.sh > $@.tmp && mv $@.tmp $@

# The bundled static QEMU: built once per machine (cached outside the repository, keyed by
# its sources and configuration); its path lands in a file the image and the tests use.
QEMU_PATCHES := $(wildcard patches/qemu/*.patch)
STATIC_QEMU_FILE := $(BUILD)/qemu-static-path
$(STATIC_QEMU_FILE): scripts/build-qemu.sh configs/qemu-devices.mak $(QEMU_PATCHES) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	bash scripts/build-qemu.sh static > $@.tmp && mv $@.tmp $@
# The outer VM's QEMU for the tests and benchmarks: KVM nested in TCG needs our patches.
OUTER_QEMU_FILE := $(BUILD)/qemu-outer-path
$(OUTER_QEMU_FILE): scripts/build-qemu.sh $(QEMU_PATCHES) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	bash scripts/build-qemu.sh outer > $@.tmp && mv $@.tmp $@
TEST_ENV = HAL_KERNEL_ROOT=$$(cat $(KERNEL_ROOT_FILE)) HAL_OUTER_QEMU=$$(cat $(OUTER_QEMU_FILE))

$(IMAGE): $(BUILD)/hal-init $(BUILD)/hal-display $(BUILD)/mkinitrd-hal $(KERNEL_ROOT_FILE) $(STATIC_QEMU_FILE) modules.list configs/hal.conf
	root=$$(cat $(KERNEL_ROOT_FILE)); \
	$(BUILD)/mkinitrd-hal -k $$(ls $$root/lib/modules) --moddir $$root --qemu $$(cat $(STATIC_QEMU_FILE)) $@

$(DEMO_DISK): tests/boot/guest/bootsector.S scripts/make-disk.sh | $(DEPS_STAMP)
	bash scripts/make-disk.sh tests/boot/guest/bootsector.S 'HAL-DEMO: hello from the guest OS' $@

image: $(IMAGE)

run: $(IMAGE) $(DEMO_DISK)
	bash scripts/run-vm.sh $$(cat $(KERNEL_ROOT_FILE)) $(IMAGE) $(DEMO_DISK)

# A static stand-in for QEMU, for the supervision boot tests.
FAKE_QEMU := $(BUILD)/fixtures/fake-qemu
$(FAKE_QEMU): tests/fixtures/programs/fake_qemu.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

# The real Linux test guest's reporting tool (tests/guest/), static so any initramfs can run it.
GUEST_TOOL := $(BUILD)/fixtures/guest-tool
$(GUEST_TOOL): tests/guest/guest_tool.c | $(DEPS_STAMP) $(KERNEL_HEADERS_STAMP)
	@mkdir -p $(@D)
	musl-gcc -static -O2 -Wall -Wextra -Werror -isystem $(BUILD)/musl-include -o $@ $<

unit: $(BUILD)/unit-tests $(BUILD)/hal-init $(FIXTURES)
	HAL_FIXTURE_DIR=$(BUILD)/fixtures HAL_INIT_BINARY=$(BUILD)/hal-init $(BUILD)/unit-tests

boot: all $(BUILD)/hal-init-test $(STATIC_QEMU_FILE) $(OUTER_QEMU_FILE) $(FAKE_QEMU) $(FIXTURES) $(GUEST_TOOL) $(KERNEL_ROOT_FILE)
	$(TEST_ENV) $(PYTHON) -m pytest -v tests/boot

# The static QEMU is part of what is tested: `make check` builds it (once per machine, cached)
# and its tests fail, never skip, when it is missing.
check: all $(BUILD)/hal-init-test $(STATIC_QEMU_FILE) $(OUTER_QEMU_FILE) $(BUILD)/unit-tests $(FIXTURES) $(FAKE_QEMU) $(GUEST_TOOL) \
		$(KERNEL_ROOT_FILE)
	HAL_FIXTURE_DIR=$(BUILD)/fixtures HAL_INIT_BINARY=$(BUILD)/hal-init $(BUILD)/unit-tests
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=4
	$(TEST_ENV) $(PYTHON) -m pytest -v tests

# libFuzzer targets (clang, ASan+UBSan), one per parser of untrusted or hand-written input:
# tests/fuzz/NAME_fuzz.cpp, seeded from tests/fuzz/corpus/NAME (in the repository: hand-written
# seeds and the inputs `make fuzz-merge` brought back from long runs) and build/fuzz/seeds/NAME
# (binary seeds scripts/fuzz-seeds.sh makes with the real tools).
# `make fuzz` runs each for FUZZ_SECONDS; `make check` runs a short pass so a parser crash
# fails CI; an input that takes FUZZ_TIMEOUT seconds is a hang and fails too (libFuzzer's own
# default is 20 minutes). The parsers are built once into one library the targets link.
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 20
FUZZ_MAX_LEN ?= 16384
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/%_fuzz.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp)))
FUZZ_CXXFLAGS := -std=c++20 -g -O1 -I. -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIB_OBJECTS := $(sort $(PACKER_LIB_SOURCES:%.cpp=$(BUILD)/fuzz/obj/%.o) $(DISPLAY_PURE_SOURCES:%.cpp=$(BUILD)/fuzz/obj/%.o))
$(BUILD)/fuzz/obj/%.o: %.cpp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CXX (fuzz) $<"
	@clang++ $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/obj/tests/fuzz/%_fuzz.o)
$(BUILD)/fuzz/libparsers.a: $(FUZZ_LIB_OBJECTS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/tests/fuzz/%_fuzz.o $(BUILD)/fuzz/libparsers.a
	clang++ $(FUZZ_CXXFLAGS) -fsanitize=fuzzer,address,undefined $^ -o $@ $(TEST_LIBS)

$(BUILD)/fuzz/seeds/.stamp: scripts/fuzz-seeds.sh $(FIXTURES) | $(DEPS_STAMP)
	bash scripts/fuzz-seeds.sh $(BUILD)/fuzz/seeds $(BUILD)/fixtures
	@touch $@

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/seeds/.stamp
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$target $(BUILD)/fuzz/seeds/$$target && \
		$(BUILD)/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
			$(BUILD)/fuzz/corpus/$$target $(BUILD)/fuzz/seeds/$$target $$(ls -d tests/fuzz/corpus/$$target 2>/dev/null) \
			> $(BUILD)/fuzz/$$target.log 2>&1; \
		status=$$?; \
		echo "fuzz $$target: $$(grep -E '^Done [0-9]+ runs' $(BUILD)/fuzz/$$target.log)," \
			"$$(grep -oE 'cov: [0-9]+ ft: [0-9]+' $(BUILD)/fuzz/$$target.log | tail -n 1)"; \
		if [ $$status -ne 0 ]; then tail -n 40 $(BUILD)/fuzz/$$target.log; exit 1; fi; \
	done

# The long campaign: every target for FUZZ_RUNS executions (10^8 by default) on FUZZ_JOBS
# cores, the last targets on several workers each; resumable (finished targets are skipped).
# Hours to days on a small machine: never in `make check` (tests/fuzz/test_campaign.py checks
# the script with small targets).
fuzz-campaign: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/seeds/.stamp
	bash scripts/fuzz-campaign.sh $(BUILD) $(FUZZ_CAMPAIGN_TARGETS)

# What `make fuzz` and the campaign grew in build/fuzz/corpus, brought back to the repository:
# the inputs that reach edges tests/fuzz/corpus and the seeds do not (libFuzzer's merge on edge
# coverage), for `make check` to replay. Commit what it adds (FUZZ_MERGE_TARGETS: a subset).
fuzz-merge: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/seeds/.stamp
	bash scripts/fuzz-merge.sh $(BUILD) tests/fuzz/corpus $(FUZZ_MERGE_TARGETS)

# A minimal static qemu-system-x86_64 from Debian's QEMU source, cached outside the
# repository; mkinitrd-hal prefers it when it exists.
qemu-static: $(STATIC_QEMU_FILE)
	@cat $(STATIC_QEMU_FILE)

# The README's two commands in a clean Debian 12 root (debootstrap); `make check` runs the
# quick form (`make run` only) as a test.
fresh-check: | $(DEPS_STAMP)
	bash scripts/fresh-check.sh

# Stop cycles with a real guest writing to ext4 (tests/soak/stop_cycles.py): SOAK_CYCLES in
# all, over the power button, Ctrl-Alt-Del, SIGTERM to PID 1, system_powerdown on the operator's
# QMP monitor, guest power-off and guest panic
# (SOAK_KINDS: a comma-separated subset); e2fsck and every fsync'd file's checksum after
# each. About 35 s a cycle under TCG.
SOAK_CYCLES ?= 100
SOAK_KINDS ?=
soak: all $(BUILD)/hal-init-test $(STATIC_QEMU_FILE) $(OUTER_QEMU_FILE) $(GUEST_TOOL) $(KERNEL_ROOT_FILE)
	$(TEST_ENV) HAL_SOAK_CYCLES=$(SOAK_CYCLES) HAL_SOAK_KINDS=$(SOAK_KINDS) $(PYTHON) tests/soak/stop_cycles.py

# hal-init's memory and descriptors over SOAK_MINUTES (default 30) of DHCP renewals every 2 s
# (dnsmasq on a tap in a namespace of its own) and USB keyboards plugged in and out (root).
SOAK_MINUTES ?= 30
soak-memory: all $(BUILD)/hal-init-test $(STATIC_QEMU_FILE) $(OUTER_QEMU_FILE) $(KERNEL_ROOT_FILE)
	$(TEST_ENV) HAL_SOAK_MINUTES=$(SOAK_MINUTES) $(PYTHON) tests/soak/memory_run.py

# Figures, not assertions: hal-init against the busybox-script init, same kernel and disk;
# the static QEMU's own start-up, not nested; packing; the LAN paths; the guest's screen through hal-display (latency, update rate, CPU).
bench: all $(BUILD)/hal-init-test $(STATIC_QEMU_FILE) $(OUTER_QEMU_FILE) $(GUEST_TOOL) $(KERNEL_ROOT_FILE)
	$(TEST_ENV) $(PYTHON) tests/bench/boot_bench.py
	$(TEST_ENV) $(PYTHON) tests/bench/qemu_start_bench.py
	$(TEST_ENV) $(PYTHON) tests/bench/pack_bench.py
	$(TEST_ENV) $(PYTHON) tests/bench/lan_bench.py
	$(TEST_ENV) $(PYTHON) tests/bench/display_bench.py
	$(TEST_ENV) $(PYTHON) tests/bench/passthrough_bench.py

# `make install` (PREFIX, DESTDIR as usual): the packer, its programs and data, the man page,
# and the Debian kernel hooks that rebuild /boot/hal-initrd.img-KVER on a kernel upgrade.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
MAN_PAGE := $(BUILD)/mkinitrd-hal.8
$(MAN_PAGE): README.md scripts/make-man.py
	@mkdir -p $(@D)
	$(PYTHON) scripts/make-man.py README.md $@
man: $(MAN_PAGE)

install: all $(MAN_PAGE) $(STATIC_QEMU_FILE)
	install -D -m 0755 $(BUILD)/mkinitrd-hal $(DESTDIR)$(PREFIX)/bin/mkinitrd-hal
	install -D -m 0755 $(BUILD)/hal-init $(DESTDIR)$(PREFIX)/lib/mkinitrd-hal/hal-init
	install -D -m 0755 $(BUILD)/hal-display $(DESTDIR)$(PREFIX)/lib/mkinitrd-hal/hal-display
	install -D -m 0755 $$(cat $(STATIC_QEMU_FILE)) $(DESTDIR)$(PREFIX)/lib/mkinitrd-hal/qemu-system-x86_64
	install -D -m 0644 modules.list $(DESTDIR)$(PREFIX)/share/mkinitrd-hal/modules.list
	install -D -m 0644 configs/hal.conf $(DESTDIR)$(PREFIX)/share/mkinitrd-hal/hal.conf
	install -D -m 0644 $(MAN_PAGE) $(DESTDIR)$(PREFIX)/share/man/man8/mkinitrd-hal.8
	for hook in postinst.d postrm.d; do \
		mkdir -p $(DESTDIR)$(SYSCONFDIR)/kernel/$$hook && \
		sed 's|@BINDIR@|$(PREFIX)/bin|' scripts/kernel/$$hook > $(DESTDIR)$(SYSCONFDIR)/kernel/$$hook/zz-mkinitrd-hal && \
		chmod 0755 $(DESTDIR)$(SYSCONFDIR)/kernel/$$hook/zz-mkinitrd-hal; \
	done

clean:
	rm -rf $(BUILD)
