test_virtqueue_SRCS := devices/virtio/virtqueue.c devices/virtio/virtq_pop.c \
	devices/virtio/virtq_used.c devices/virtio/virtq_sg.c devices/virtio/virtq_guest_ram.c \
	mm/guest_ram.c
