test_lapic_SRCS := devices/vlapic.c arch/x86/svm/vmcb_access.c tests/unit/fake_platform.c lib/string.c
