# mkinitrd-hal: the one entry point. `make` builds, `make run` boots the image in QEMU,
# `make check` runs every test. Each target installs its Debian packages first.

BUILD := build
PYTHON := /usr/bin/python3
DEPS_STAMP := $(BUILD)/.deps-checked

# hal-init: static, musl, C++20 from header-only parts of libstdc++ (see shared/DESIGN.md).
INIT_CXX := g++ -specs /usr/lib/x86_64-linux-musl/musl-gcc.specs
INIT_CXXFLAGS := -std=c++20 -Os -fno-exceptions -fno-rtti -fno-threadsafe-statics \
	-fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections \
	-D'__GLIBC_PREREQ(a,b)=0' -isystem /usr/include/c++/12 \
	-isystem /usr/include/x86_64-linux-gnu/c++/12 -isystem $(BUILD)/musl-kernel-headers -I. \
	-Wall -Wextra -Werror
# Linked by the C driver: no libstdc++ (Debian's is built for glibc); init/cxx_support.cpp
# provides the single hook the headers need.
INIT_LD := gcc -specs /usr/lib/x86_64-linux-musl/musl-gcc.specs
INIT_LDFLAGS := -static -s -Wl,--gc-sections

HOST_CXX := g++
HOST_CXXFLAGS := -std=c++20 -O2 -g -I. -Wall -Wextra -Werror
TEST_CXXFLAGS := -std=c++20 -O1 -g -I. -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
HOST_LIBS := -larchive -lz -llzma -lzstd

COMMON_SOURCES := $(wildcard common/*.cpp)
LAUNCHER_SOURCES := $(wildcard launcher/*.cpp)
INIT_SOURCES := $(wildcard init/*.cpp init/sys/*.cpp) $(COMMON_SOURCES) $(LAUNCHER_SOURCES)
PACKER_LIB_SOURCES := $(filter-out initrd/main.cpp,$(wildcard initrd/*.cpp)) $(COMMON_SOURCES) $(LAUNCHER_SOURCES)
UNIT_SOURCES := $(shell find tests/unit -name '*.cpp')

INIT_OBJECTS := $(INIT_SOURCES:%.cpp=$(BUILD)/musl/%.o)
PACKER_OBJECTS := $(PACKER_LIB_SOURCES:%.cpp=$(BUILD)/host/%.o) $(BUILD)/host/initrd/main.o
UNIT_OBJECTS := $(PACKER_LIB_SOURCES:%.cpp=$(BUILD)/asan/%.o) $(UNIT_SOURCES:%.cpp=$(BUILD)/asan/%.o)

KERNEL_ROOT_FILE := $(BUILD)/kernel-root
IMAGE := $(BUILD)/hal.img
DEMO_DISK := $(BUILD)/demo-disk.img

.PHONY: all deps run check unit boot bench fuzz image qemu-static clean
all: $(BUILD)/hal-init $(BUILD)/mkinitrd-hal

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	bash scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

# musl's include path lacks the kernel's UAPI headers (linux/, asm/); point at Debian's.
KERNEL_HEADERS_STAMP := $(BUILD)/musl-kernel-headers/.ready
$(KERNEL_HEADERS_STAMP): | $(DEPS_STAMP)
	@mkdir -p $(@D)
	ln -sfn /usr/include/linux $(@D)/linux
	ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	ln -sfn /usr/include/x86_64-linux-gnu/asm $(@D)/asm
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
	$(INIT_LD) $(INIT_LDFLAGS) $^ -o $@
$(BUILD)/mkinitrd-hal: $(PACKER_OBJECTS)
	$(HOST_CXX) $(HOST_CXXFLAGS) $^ -o $@ $(HOST_LIBS)
$(BUILD)/unit-tests: $(UNIT_OBJECTS)
	$(HOST_CXX) $(TEST_CXXFLAGS) $^ -o $@ $(HOST_LIBS)

# ELF fixtures: a program that finds its library through RUNPATH $ORIGIN/../lib.
ELF_FIXTURES := $(BUILD)/fixtures/elf/bin/fixture_program
$(BUILD)/fixtures/elf/lib/libfixture.so: tests/fixtures/elf/fixture_library.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	gcc -shared -fPIC -o $@ $<
$(ELF_FIXTURES): tests/fixtures/elf/fixture_program.c $(BUILD)/fixtures/elf/lib/libfixture.so
	@mkdir -p $(@D)
	gcc -o $@ $< -L$(BUILD)/fixtures/elf/lib -lfixture -Wl,--enable-new-dtags,-rpath,'$$ORIGIN/../lib'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The Debian test kernel, cached outside the repository; its root path lands in a file.
$(KERNEL_ROOT_FILE): scripts/fetch-kernel.sh | $(DEPS_STAMP)
	@mkdir -p $(@D)
	bash scripts/fetch-kernel.sh > $@.tmp && mv $@.tmp $@

$(IMAGE): $(BUILD)/hal-init $(BUILD)/mkinitrd-hal $(KERNEL_ROOT_FILE) modules.list configs/hal.conf
	root=$$(cat $(KERNEL_ROOT_FILE)); \
	$(BUILD)/mkinitrd-hal -k $$(ls $$root/lib/modules) --moddir $$root $@

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

unit: $(BUILD)/unit-tests $(BUILD)/hal-init $(ELF_FIXTURES)
	HAL_FIXTURE_DIR=$(BUILD)/fixtures $(BUILD)/unit-tests

boot: all $(FAKE_QEMU) $(ELF_FIXTURES) $(KERNEL_ROOT_FILE)
	HAL_KERNEL_ROOT=$$(cat $(KERNEL_ROOT_FILE)) $(PYTHON) -m pytest -v tests/boot

check: all $(BUILD)/unit-tests $(ELF_FIXTURES) $(FAKE_QEMU) $(KERNEL_ROOT_FILE)
	HAL_FIXTURE_DIR=$(BUILD)/fixtures $(BUILD)/unit-tests
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	HAL_KERNEL_ROOT=$$(cat $(KERNEL_ROOT_FILE)) $(PYTHON) -m pytest -v tests

# libFuzzer targets (clang): `make fuzz` runs each for FUZZ_SECONDS; `make check` runs a
# short smoke pass so a parser crash fails CI.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := qmp_message dhcp_packet
FUZZ_FLAGS := -std=c++20 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz/qmp_message: tests/fuzz/qmp_message_fuzz.cpp common/qmp_message.cpp common/qmp_message.hpp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang++ $(FUZZ_FLAGS) tests/fuzz/qmp_message_fuzz.cpp common/qmp_message.cpp -o $@

$(BUILD)/fuzz/dhcp_packet: tests/fuzz/dhcp_packet_fuzz.cpp common/dhcp_packet.cpp common/dhcp_packet.hpp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang++ $(FUZZ_FLAGS) tests/fuzz/dhcp_packet_fuzz.cpp common/dhcp_packet.cpp -o $@

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$target && \
		$(BUILD)/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			$(BUILD)/fuzz/corpus-$$target tests/fuzz/corpus/$${target%_*} > $(BUILD)/fuzz/$$target.log 2>&1; \
		status=$$?; echo "fuzz $$target: $$(grep -E '^Done [0-9]+ runs' $(BUILD)/fuzz/$$target.log)"; \
		if [ $$status -ne 0 ]; then tail -n 40 $(BUILD)/fuzz/$$target.log; exit 1; fi; \
	done

# A minimal static qemu-system-x86_64 from Debian's QEMU source, cached outside the
# repository; mkinitrd-hal prefers it when it exists.
qemu-static: | $(DEPS_STAMP)
	bash scripts/build-qemu-static.sh

# Figures, not assertions: hal-init against the busybox-script init, same kernel and disk.
bench: all $(KERNEL_ROOT_FILE)
	HAL_KERNEL_ROOT=$$(cat $(KERNEL_ROOT_FILE)) $(PYTHON) tests/bench/boot_bench.py

clean:
	rm -rf $(BUILD)
