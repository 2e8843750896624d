test_guest_ram_SRCS := mm/guest_ram.c mm/npt/npt_vm.c mm/npt/npt.c guest/layout.c
