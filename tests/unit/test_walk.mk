test_walk_SRCS := arch/x86/insn/walk.c
