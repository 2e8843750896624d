test_boot_state_SRCS := core/run/power_on.c arch/x86/svm/vmcb_init.c arch/x86/svm/vmcb_access.c \
	arch/x86/svm/vmcb_check.c lib/string.c
