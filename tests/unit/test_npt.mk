test_npt_SRCS := mm/npt/npt.c
