test_vmcb_check_SRCS := arch/x86/svm/vmcb_check.c
