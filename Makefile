# yakvm - a bare-metal type-1 micro-hypervisor for AMD-V (SVM).
#
#   make env     install every tool from Debian packages
#   make run     boot the demo ISO in QEMU (two VMs); GUEST=linux for a
#                Linux VM with a busybox shell; GUEST=gdb for a guest
#                waiting for gdb on COM2 (127.0.0.1:1234, docs/debugging.md)
#   make test    unit tests + end-to-end boots; last line "N passed, N failed"
#   make debug   QEMU halted, gdb attached to yakvm.elf (built with -Og)
#   make usb DEV=/dev/sdX   write the ISO to a USB stick (asks first)
#   make soak MINUTES=30    two Linux VMs and two small VMs under stress
#   make fuzz-guest SEEDS="1 2 3" MODES="real prot long"   random-instruction guests
#   make fuzz    each libFuzzer harness for FUZZ_SECONDS (60); fuzz-smoke: briefly
#   make all | iso | unit | clean
#
# Every target that needs a tool first runs scripts/ensure-tools.sh, which
# installs what is missing (as root) or prints the apt-get line to run.

FLAVOR   ?= release
BUILD    := build/$(FLAVOR)
OPT      ?= -O2
ifeq ($(FLAVOR),debug)
OPT      := -Og
endif

CC       := gcc
LD       := ld
OBJCOPY  := objcopy

# ---- the hypervisor (freestanding, x86-64, no libc) ----------------------
HV_CFLAGS := -std=gnu11 $(OPT) -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -m64 \
	-fno-strict-aliasing -fno-omit-frame-pointer \
	-fstack-protector-strong -mstack-protector-guard=global \
	-fno-asynchronous-unwind-tables -I.
HV_ASFLAGS := -g -m64 -I. -D__ASSEMBLY__
HV_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -T linker.ld

HV_DIRS  := boot arch mm core devices drivers lib net
HV_SRCS  := $(shell find $(HV_DIRS) -name '*.c' -o -name '*.S' | sort) \
	    $(wildcard guest/*.c)
HV_OBJS  := $(patsubst %,$(BUILD)/hv/%.o,$(HV_SRCS))
HV_OBJS  += $(BUILD)/hv/gen/font.c.o $(BUILD)/hv/gen/dsdt_aml.c.o

# ---- guests (32-bit Multiboot1 kernels of our own) ------------------------
GUEST_CFLAGS := -std=gnu11 -O2 -g -m32 -march=i686 -Wall -Wextra -Werror \
	-Wno-unused-parameter -ffreestanding -fno-builtin -nostdlib \
	-fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -Iguest/rt
GUEST_RT_SRCS := $(wildcard guest/rt/*.c guest/rt/*.S)
GUEST_RT_OBJS := $(patsubst %,$(BUILD)/guests/%.o,$(GUEST_RT_SRCS))
# Each guest is one .c file: guest/demo/*.c and tests/guests/*.c.
GUEST_MAINS := $(wildcard guest/demo/*.c tests/guests/*.c)
GUEST_ELFS  := $(patsubst %.c,$(BUILD)/guests/%.elf,$(GUEST_MAINS))

# The Linux guests: Debian's cloud kernel (linux-image-cloud-amd64) and its
# standard one (linux-image-amd64), unpacked into build/kernels/ by
# scripts/fetch-kernel.sh (apt-get download + dpkg-deb -x: the host's /boot
# is never touched), and a busybox initramfs.
KERNELS := build/kernels
LINUX_KERNEL ?= $(wildcard $(KERNELS)/cloud-amd64/vmlinuz)
LINUX_STD_KERNEL ?= $(wildcard $(KERNELS)/amd64/vmlinuz)
LINUX_DIR := $(BUILD)/linux
LINUX_FILES := $(if $(LINUX_KERNEL),$(LINUX_DIR)/vmlinuz $(LINUX_DIR)/initrd.cpio \
	$(LINUX_DIR)/disk-ext4.img $(LINUX_DIR)/root-ext4.img \
	$(LINUX_DIR)/marker-a.img $(LINUX_DIR)/marker-b.img \
	$(LINUX_DIR)/vmlinuz-truncated) $(if $(LINUX_STD_KERNEL),$(LINUX_DIR)/vmlinuz-std)
# memtest86+ from Debian (a Linux-protocol image), unpacked into build/memtest
# by scripts/fetch-memtest.sh, booted as a Linux VM.
MEMTEST := build/memtest
MEMTEST_BIN ?= $(wildcard $(MEMTEST)/boot/memtest86+x64.bin)
LINUX_FILES += $(if $(MEMTEST_BIN),$(LINUX_DIR)/memtest86+x64.bin)

.PHONY: usb all iso run run-now test test-now test-stress unit e2e debug env tools clean linux bench bench-quick \
	soak fuzz-guest fuzz fuzz-smoke fuzz-bins
.SECONDARY:
all: $(BUILD)/yakvm.elf $(GUEST_ELFS) $(LINUX_FILES)

env:
	@./scripts/ensure-tools.sh --install
	@./scripts/fetch-kernel.sh cloud-amd64 $(KERNELS)/cloud-amd64
	@./scripts/fetch-kernel.sh amd64 $(KERNELS)/amd64
	@./scripts/fetch-memtest.sh $(MEMTEST)

tools:
	@./scripts/ensure-tools.sh
	@./scripts/fetch-kernel.sh cloud-amd64 $(KERNELS)/cloud-amd64
	@./scripts/fetch-kernel.sh amd64 $(KERNELS)/amd64
	@./scripts/fetch-memtest.sh $(MEMTEST)

$(BUILD)/hv/%.c.o: %.c | tools
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.S.o: %.S | tools
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

# The framebuffer console's font (arch/x86/fbcon.h), from a PSF font of
# Debian's console-setup-linux, made into C by scripts/psf2c.py.
FONT_PSF := /usr/share/consolefonts/Lat15-Fixed16.psf.gz
$(FONT_PSF): | tools ;

$(BUILD)/gen/font.c: scripts/psf2c.py $(FONT_PSF)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@python3 scripts/psf2c.py $(FONT_PSF) $@

$(BUILD)/hv/gen/font.c.o: $(BUILD)/gen/font.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

# The DSDT (guest/acpi_dsdt.h): guest/acpi/dsdt.asl through the C
# preprocessor (its numbers come from devices/pci_layout.h and
# devices/acpi_pm.h), compiled by iasl (Debian's acpica-tools; warnings are
# errors), its AML made into C by scripts/aml2c.py.
DSDT_GEN := $(BUILD)/gen/dsdt
$(DSDT_GEN).asl: guest/acpi/dsdt.asl | tools
	@mkdir -p $(dir $@)
	@echo "  CPP     $<"
	@$(CC) -E -P -x c -undef -nostdinc -DYAKVM_ASL -I. -MMD -MP -MT $@ -MF $@.d $< -o $@

$(DSDT_GEN).aml: $(DSDT_GEN).asl
	@echo "  IASL    $<"
	@iasl -vs -we -p $(DSDT_GEN) $< > $(DSDT_GEN).log 2>&1 || { cat $(DSDT_GEN).log; exit 1; }

$(BUILD)/gen/dsdt_aml.c: $(DSDT_GEN).aml scripts/aml2c.py
	@echo "  GEN     $@"
	@python3 scripts/aml2c.py $< $@

$(BUILD)/hv/gen/dsdt_aml.c.o: $(BUILD)/gen/dsdt_aml.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/yakvm.elf: $(HV_OBJS) linker.ld
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS)
	@./scripts/check-wx.sh $@

$(BUILD)/guests/%.c.o: %.c | tools
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.S.o: %.S | tools
	@mkdir -p $(dir $@)
	@echo "  AS      $< (guest)"
	@$(CC) -m32 -g -Iguest/rt -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(BUILD)/guests/%.elf: $(BUILD)/guests/%.c.o $(GUEST_RT_OBJS) guest/rt/guest.ld
	@echo "  LD      $@"
	@$(LD) -m elf_i386 -nostdlib -static --no-warn-rwx-segments -T guest/rt/guest.ld -o $@ \
		$(filter %.o,$^)

# ---- a Linux guest: Debian's kernel and a busybox initramfs -----------------

$(LINUX_DIR)/vmlinuz: $(LINUX_KERNEL)
	@mkdir -p $(dir $@)
	cp -L $< $@

$(LINUX_DIR)/vmlinuz-std: $(LINUX_STD_KERNEL)
	@mkdir -p $(dir $@)
	cp -L $< $@

$(LINUX_DIR)/memtest86+x64.bin: $(MEMTEST_BIN)
	@mkdir -p $(dir $@)
	cp -L $< $@

# A broken kernel for the bad-input test: the first MiB of the real one.
$(LINUX_DIR)/vmlinuz-truncated: $(LINUX_DIR)/vmlinuz
	head -c 1048576 $< > $@

# The initramfs: busybox-static and tests/linux/init, in the newc format;
# and each kernel's virtio modules (Debian builds them =m), under
# /lib/modules/RELEASE/ (tests/linux/init loads them in modules.dep order).
VIRTIO_MODULES := virtio/virtio_ring virtio/virtio virtio/virtio_pci_modern_dev \
	virtio/virtio_pci_legacy_dev virtio/virtio_pci char/hw_random/virtio-rng block/virtio_blk \
	char/virtio_console
# virtio_net and what it needs (modules.dep: failover, net_failover).
NET_MODULES := net/core/failover drivers/net/net_failover drivers/net/virtio_net
LINUX_MODULE_DIRS := $(wildcard $(KERNELS)/cloud-amd64/lib/modules/* $(KERNELS)/amd64/lib/modules/*)
# The flooding VM's program (linux-net-flood), static for the initramfs.
$(LINUX_DIR)/flood: tests/linux/flood.c
	@mkdir -p $(dir $@)
	$(HOSTCC_FLOOD) -static -O2 -Wall -Wextra -Werror -o $@ $<
HOSTCC_FLOOD ?= gcc

# And e2fsck (e2fsck-static: busybox has no fsck) for yakvm.disk's check.
$(LINUX_DIR)/initrd.cpio: tests/linux/init tests/linux/net.sh tests/linux/netif.sh tests/linux/uplink.sh tests/linux/netbench.sh \
		tests/linux/udhcpc.sh $(LINUX_DIR)/flood /bin/busybox /sbin/e2fsck.static
	@rm -rf $(LINUX_DIR)/root && mkdir -p $(LINUX_DIR)/root/bin
	cp /bin/busybox $(LINUX_DIR)/root/bin/busybox
	cp /sbin/e2fsck.static $(LINUX_DIR)/root/bin/e2fsck
	ln -sf busybox $(LINUX_DIR)/root/bin/sh
	cp tests/linux/init $(LINUX_DIR)/root/init
	cp tests/linux/net.sh tests/linux/netif.sh $(LINUX_DIR)/root/
	cp tests/linux/uplink.sh tests/linux/udhcpc.sh tests/linux/netbench.sh $(LINUX_DIR)/root/
	cp $(LINUX_DIR)/flood $(LINUX_DIR)/root/bin/flood
	@for d in $(LINUX_MODULE_DIRS); do \
		m=$(LINUX_DIR)/root/lib/modules/$$(basename $$d); mkdir -p $$m; \
		for k in $(VIRTIO_MODULES); do \
			f=$$d/kernel/drivers/$$k.ko; [ -f $$f ] && cp $$f $$m/ || cp $$f.xz $$m/ 2>/dev/null || true; \
		done; \
		for k in $(NET_MODULES); do \
			f=$$d/kernel/$$k.ko; [ -f $$f ] && cp $$f $$m/ || cp $$f.xz $$m/ 2>/dev/null || true; \
		done; \
	done
	cd $(LINUX_DIR)/root && find . | cpio -o -H newc --quiet > ../initrd.cpio

# A disk image for virtio-blk (disk=module:NAME): ext4 made from a small
# tree by mke2fs -d (e2fsprogs; no root rights, no loop device).
$(LINUX_DIR)/disk-ext4.img: Makefile
	@mkdir -p $(LINUX_DIR)/disk-tree
	@echo "hello from a yakvm module disk" > $(LINUX_DIR)/disk-tree/hello.txt
	@rm -f $@
	@echo "  MKE2FS  $@"
	@mke2fs -q -t ext4 -L yakvm-disk -d $(LINUX_DIR)/disk-tree $@ 8M

# Two raw 1 MiB disks for two VMs that must not see each other's data:
# each holds its own marker (yakvm-marker-a or -b) at its start, middle
# and last sector.
$(LINUX_DIR)/marker-%.img: Makefile
	@mkdir -p $(dir $@) && rm -f $@ && truncate -s 1M $@
	@for s in 0 1024 2047; do \
		printf 'yakvm-marker-$*' | dd of=$@ bs=512 seek=$$s conv=notrunc status=none; done

# A root disk: busybox and tests/linux/rootinit as /sbin/init.
$(LINUX_DIR)/root-ext4.img: tests/linux/rootinit /bin/busybox Makefile
	@rm -rf $(LINUX_DIR)/rootfs-tree $@
	@mkdir -p $(LINUX_DIR)/rootfs-tree/bin $(LINUX_DIR)/rootfs-tree/sbin $(LINUX_DIR)/rootfs-tree/etc
	@cp /bin/busybox $(LINUX_DIR)/rootfs-tree/bin/busybox
	@ln -sf busybox $(LINUX_DIR)/rootfs-tree/bin/sh
	@cp tests/linux/rootinit $(LINUX_DIR)/rootfs-tree/sbin/init
	@echo "the yakvm root disk" > $(LINUX_DIR)/rootfs-tree/etc/yakvm-root
	@echo "  MKE2FS  $@"
	@mke2fs -q -t ext4 -L yakvm-root -d $(LINUX_DIR)/rootfs-tree $@ 16M

linux: $(LINUX_FILES)

# ---- the ISO ---------------------------------------------------------------
# iso/<GUEST>.cfg is the grub.cfg: demo (two small VMs, the default) or linux
# (a Linux VM with a shell). Each gets its own tree and ISO.
GUEST   ?= demo
ISO_CFG ?= iso/$(GUEST).cfg
ISO_DIR := $(BUILD)/iso-$(GUEST)
ISO     := $(BUILD)/yakvm-$(GUEST).iso

$(ISO_DIR)/boot/grub/grub.cfg: $(ISO_CFG) $(BUILD)/yakvm.elf $(GUEST_ELFS) $(LINUX_FILES)
	@rm -rf $(ISO_DIR) && mkdir -p $(ISO_DIR)/boot/grub $(ISO_DIR)/guests
	cp $(BUILD)/yakvm.elf $(ISO_DIR)/boot/yakvm.elf
	cp $(GUEST_ELFS) $(LINUX_FILES) $(ISO_DIR)/guests/
	cp $(ISO_CFG) $@

$(ISO): $(ISO_DIR)/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(ISO_DIR) 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

iso: $(ISO)
	@ln -sf $(ISO) yakvm.iso
	@echo "ISO: yakvm.iso -> $(ISO) (hybrid: BIOS and UEFI, CD-ROM or USB stick)"

# Write the ISO to a USB stick: refuses non-removable or mounted devices,
# and asks first.
usb: iso
	@./scripts/usb.sh $(ISO) "$(DEV)"

QEMU      := qemu-system-x86_64
QEMU_SMP  ?= 1
QEMU_MEM  ?= 1G
# make run: QEMU with KVM (yakvm in nested SVM, -cpu host) when /dev/kvm is
# usable and the CPU is AMD, TCG otherwise; ACCEL=kvm|tcg chooses. The tests
# stay on TCG unless ACCEL=kvm (untested here: no machine here has KVM).
KVM_DEV   ?= /dev/kvm
CPUINFO   ?= /proc/cpuinfo
KVM_OK    := $(shell [ -r $(KVM_DEV) ] && [ -w $(KVM_DEV) ] && \
	grep -qm1 'vendor_id.*AuthenticAMD' $(CPUINFO) 2>/dev/null && echo yes)
RUN_ACCEL := $(or $(ACCEL),$(if $(KVM_OK),kvm,tcg))
RUN_WHY   := $(strip $(if $(ACCEL),ACCEL=$(ACCEL),$(if $(KVM_OK),$(KVM_DEV) is usable and \
	the CPU is AMD,no usable $(KVM_DEV) on an AMD CPU)))
ifeq ($(RUN_ACCEL),kvm)
QEMU_CPU  ?= host,+svm
else
QEMU_CPU  ?= qemu64,+svm,+npt,+vgif
endif
QEMU_BASE := -accel $(RUN_ACCEL) -cpu $(QEMU_CPU) -smp $(QEMU_SMP) -m $(QEMU_MEM) \
	-no-reboot -display none -device isa-debug-exit,iobase=0xf4,iosize=4

run: tools
	@$(MAKE) --no-print-directory run-now

# COM2 as a TCP socket for a guest's gdb stub (gdb= on its module line,
# docs/debugging.md): GUEST=gdb (iso/gdb.cfg) or GDB_GUEST=1.
GDB_GUEST_PORT ?= 1234
ifneq ($(filter gdb,$(GUEST))$(filter 1,$(GDB_GUEST)),)
RUN_COM2 := -chardev socket,id=gdbguest,host=127.0.0.1,port=$(GDB_GUEST_PORT),server=on,wait=off \
	-serial chardev:gdbguest
endif

run-now: iso
	@echo "yakvm: QEMU accelerator: $(RUN_ACCEL) ($(RUN_WHY)); ACCEL=kvm|tcg chooses"
	@echo "yakvm: booting $(ISO) in QEMU. Leave with Ctrl-] x."
	@echo "       Ctrl-A three times moves the console between the VMs."
	@$(if $(RUN_COM2),echo "       COM2 (gdb=com2) is 127.0.0.1:$(GDB_GUEST_PORT): gdb FILE.elf -ex 'target remote 127.0.0.1:$(GDB_GUEST_PORT)'")
	$(QEMU) $(QEMU_BASE) -cdrom $(ISO) -echr 0x1d -serial mon:stdio $(RUN_COM2) || true

GDB_PORT ?= $(shell python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
debug:
	$(MAKE) FLAVOR=debug iso
	@echo "yakvm: QEMU halted, gdb stub on 127.0.0.1:$(GDB_PORT); serial in build/debug/serial.log"
	$(QEMU) $(QEMU_BASE) -cdrom build/debug/yakvm-$(GUEST).iso -serial file:build/debug/serial.log \
		-S -gdb tcp:127.0.0.1:$(GDB_PORT) & \
	gdb -q build/debug/yakvm.elf -ex "target remote 127.0.0.1:$(GDB_PORT)" \
		-x scripts/yakvm.gdb -ex "hbreak yakvm_main" -ex "hbreak panic" \
		-ex 'echo yakvm: continue runs to yakvm_main; yakvm-vcpus, yakvm-vmcb VM VCPU, yakvm-exits\n'; \
		kill %1 2>/dev/null || true

# ---- tests -----------------------------------------------------------------
# Host-side unit tests: tests/unit/test_X.c, linked with the sources listed
# in tests/unit/test_X.mk as test_X_SRCS (and test_X_LIBS), under ASan+UBSan.
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -DYAKVM_HOST_TEST -I.
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
-include $(wildcard tests/unit/*.mk)
UNIT_BINS := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))

# -MMD with several sources on one line keeps only the last one's headers:
# every header of the tree is a prerequisite of each test (and harness).
HOST_TEST_HEADERS := $(shell find arch core devices drivers lib mm net guest tests -name '*.h')

$(BUILD)/unit/%: tests/unit/%.c $(HOST_TEST_HEADERS) | tools
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (unit test)"
	@$(CC) $(UNIT_CFLAGS) -MMD -MF $@.d -o $@ $< $($*_SRCS) -lcmocka $($*_LIBS)

.SECONDEXPANSION:
$(UNIT_BINS): $$($$(notdir $$@)_SRCS)

unit: $(UNIT_BINS)
	@python3 tests/run-unit.py $(UNIT_BINS)

include tests/fuzz/fuzz.mk

# make e2e [ONLY="name ..."] [REPEAT=N] [JOBS=N]: every scenario, or the named
# ones N times each (a failed run is reported, never retried).
REPEAT ?= 1
JOBS   ?= 2
TEST_ACCEL := $(or $(ACCEL),tcg)
TEST_ACCEL_NOTE = $(if $(filter kvm,$(TEST_ACCEL)),@echo "yakvm: ACCEL=kvm: the tests run \
	under KVM's nested SVM; this configuration is untested here (no machine here has KVM)")
e2e: all
	$(TEST_ACCEL_NOTE)
	@YAKVM_ACCEL=$(TEST_ACCEL) python3 tests/e2e/run.py --build $(BUILD) --jobs $(JOBS) \
		--repeat $(REPEAT) $(foreach n,$(ONLY),--only $(n))

# The end-to-end suite with twice as many emulators as cores and a CPU hog
# (one busy process per core) beside it; not part of .ci/run. Prints its time.
test-stress: tools
	@$(MAKE) --no-print-directory all
	@python3 tests/stress.py --build $(BUILD)

bench: all
	@python3 scripts/bench.py --build $(BUILD)
bench-quick: all
	@python3 scripts/bench.py --build $(BUILD) --quick

MINUTES ?= 30
soak: all
	@python3 scripts/soak.py --build $(BUILD) --minutes $(MINUTES)

# The random-instruction guest (tests/guests/hostile_random.c), COUNT
# blocks per mode and seed, several VMs per boot beside a heartbeat.
SEEDS ?= 1 2 3 4 5 6
MODES ?= real prot long
COUNT ?= 300
fuzz-guest: all
	@python3 scripts/fuzz_guest.py --build $(BUILD) --seeds "$(SEEDS)" --modes "$(MODES)" \
		--count $(COUNT)

# `make test` first makes sure the tools are there, then starts a new make,
# which sees what was just installed (the Linux kernel, for one).
test: tools
	@$(MAKE) --no-print-directory test-now

test-now: all $(UNIT_BINS) $(FUZZ_BINS)
	$(TEST_ACCEL_NOTE)
	@YAKVM_ACCEL=$(TEST_ACCEL) python3 tests/run-all.py --build $(BUILD) --fuzz $(FUZZ_BINS) -- $(UNIT_BINS)

clean:
	rm -rf build yakvm.iso

-include $(shell find build -name '*.d' 2>/dev/null)
