test_string_io_SRCS := tests/unit/hex_bytes.c arch/x86/insn/emulate.c arch/x86/insn/decode.c
