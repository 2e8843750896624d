test_gdb_regs_SRCS := core/gdb/gdb_regs.c arch/x86/svm/vmcb_access.c lib/string.c
