test_ioio_decode_SRCS := arch/x86/svm/ioio_decode.c
