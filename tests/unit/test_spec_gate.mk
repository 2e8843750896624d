test_spec_gate_SRCS := arch/x86/spec_gate.c
