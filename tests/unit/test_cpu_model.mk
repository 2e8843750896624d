test_cpu_model_SRCS := arch/x86/cpu_model.c tests/unit/cpu_model_doc.c
