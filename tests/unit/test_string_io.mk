test_string_io_SRCS := arch/x86/insn/emulate.c arch/x86/insn/decode.c
