# tests/fuzz/fuzz.mk - host-side libFuzzer harnesses (clang, ASan + UBSan),
# included from the top Makefile. Each tests/fuzz/fuzz_NAME.c has its
# LLVMFuzzerTestOneInput; fuzz_NAME_SRCS lists the yakvm sources it links
# (like tests/unit/*.mk), fuzz_NAME_LIBS extra libraries. Device harnesses
# #include their model's .c to check its private state, so they list only
# what the model calls into.
#
#   make fuzz          each harness for FUZZ_SECONDS (60), new inputs kept
#                      under $(BUILD)/fuzz-runs/, one summary table
#   make fuzz-smoke    each harness briefly, the committed corpus replayed
#                      (what `make test` runs)

FUZZ_CC      := clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -DYAKVM_HOST_TEST -I.

DEV_FAKES := tests/unit/fake_platform.c lib/string.c

fuzz_decode_SRCS   := arch/x86/insn/decode.c
fuzz_decode_LIBS   := -lcapstone
fuzz_emulate_SRCS  := arch/x86/insn/emulate.c arch/x86/insn/decode.c
fuzz_ioio_SRCS     := arch/x86/svm/ioio_decode.c arch/x86/insn/decode.c
fuzz_pic_SRCS      := $(DEV_FAKES)
fuzz_pit_SRCS      := $(DEV_FAKES)
fuzz_uart_SRCS     := $(DEV_FAKES)
fuzz_rtc_SRCS      := $(DEV_FAKES) lib/civil_time.c
fuzz_i8042_SRCS    := $(DEV_FAKES)
fuzz_sysctl_SRCS   := $(DEV_FAKES)
fuzz_pci_host_SRCS := $(DEV_FAKES)
fuzz_pm_timer_SRCS := $(DEV_FAKES)
fuzz_acpi_pm_SRCS  := $(DEV_FAKES) devices/debug_exit.c
fuzz_lapic_SRCS    := $(DEV_FAKES) arch/x86/svm/vmcb_access.c
fuzz_ioapic_SRCS   := $(DEV_FAKES)
fuzz_testdev_SRCS  := $(DEV_FAKES)
fuzz_msix_SRCS     := devices/msix.c
fuzz_hpet_SRCS     := $(DEV_FAKES)
fuzz_multiboot2_SRCS := boot/multiboot2.c lib/errmsg.c lib/string.c
fuzz_options_SRCS  := core/options.c lib/string.c lib/token.c lib/number.c
fuzz_vmdesc_SRCS   := core/vm/vmdesc.c lib/string.c lib/token.c lib/number.c
fuzz_multiboot1_SRCS := guest/multiboot1.c guest/ram_range.c lib/errmsg.c guest/layout.c lib/string.c tests/fuzz/fake_ram.c
fuzz_linux_SRCS    := guest/linux.c guest/ram_range.c lib/errmsg.c guest/layout.c lib/string.c tests/fuzz/fake_ram.c
fuzz_tables_SRCS   := guest/acpi.c $(BUILD)/gen/dsdt_aml.c guest/mptable.c guest/layout.c lib/string.c
fuzz_walk_SRCS     := arch/x86/insn/walk.c
fuzz_virtqueue_SRCS := devices/virtio/virtqueue.c devices/virtio/virtq_pop.c \
	devices/virtio/virtq_used.c devices/virtio/virtq_sg.c
fuzz_gpt_SRCS      := drivers/block/gpt.c drivers/block/catalogue.c lib/crc32.c lib/string.c
fuzz_nic_SRCS      := drivers/net/nic_ring.c drivers/net/virtio_ring.c drivers/net/probe_frames.c lib/string.c
fuzz_virtio_blk_SRCS := $(fuzz_virtqueue_SRCS) tests/fakes/flat_ram.c \
	devices/virtio/virtio_blk.c devices/virtio/virtio_blk_req.c devices/block/ram_disk.c lib/string.c
fuzz_virtio_console_SRCS := $(fuzz_virtqueue_SRCS) tests/fakes/flat_ram.c \
	devices/virtio/virtio_console.c
fuzz_virtio_console_LIBS := -Wl,--wrap=virtq_chain_write
fuzz_virtio_pci_SRCS := $(DEV_FAKES) tests/fakes/flat_ram.c \
	devices/virtio/virtio_common.c devices/msix.c \
	devices/virtio/virtqueue.c devices/virtio/virtq_pop.c devices/virtio/virtq_used.c \
	devices/virtio/virtq_sg.c
fuzz_virtio_net_SRCS := tests/unit/fake_platform.c tests/fakes/flat_ram.c tests/fakes/vnet_side.c $(fuzz_virtqueue_SRCS) \
	devices/virtio/virtio_net.c devices/virtio/virtio_net_tx.c devices/virtio/virtio_net_tx_poll.c tests/fakes/idle_poll.c devices/virtio/virtio_net_rx.c \
	net/switch.c net/mac_table.c net/offload.c net/csum.c net/segment.c net/port_format.c lib/string.c lib/format.c
fuzz_net_switch_SRCS := net/switch.c net/mac_table.c net/offload.c net/csum.c net/segment.c
fuzz_net_offload_SRCS := net/offload.c net/csum.c net/segment.c

FUZZ_HARNESSES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_HARNESSES))

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(HOST_TEST_HEADERS) | tools
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (fuzz harness)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MF $@.d -o $@ $< $(fuzz_$*_SRCS) $(fuzz_$*_LIBS)

$(FUZZ_BINS): $$(fuzz_$$(patsubst fuzz_%,%,$$(notdir $$@))_SRCS)

fuzz-bins: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@python3 tests/fuzz/run-fuzz.py --build $(BUILD) --seconds $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@python3 tests/fuzz/run-fuzz.py --build $(BUILD) --smoke $(FUZZ_BINS)
