test_gdb_regs_SRCS := core/gdb/gdb_regs.c lib/string.c
