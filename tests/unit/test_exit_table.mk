test_exit_table_SRCS := arch/x86/svm/exit.c arch/x86/insn/decode.c
