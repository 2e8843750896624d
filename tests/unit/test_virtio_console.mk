test_virtio_console_SRCS := tests/fakes/flat_ram.c devices/virtio/virtio_console.c \
	devices/virtio/virtqueue.c devices/virtio/virtq_pop.c devices/virtio/virtq_used.c \
	devices/virtio/virtq_sg.c
