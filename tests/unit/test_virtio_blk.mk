test_virtio_blk_SRCS := devices/virtio/virtio_blk.c devices/virtio/virtio_blk_req.c \
	devices/block/ram_disk.c devices/virtio/virtqueue.c devices/virtio/virtq_pop.c \
	devices/virtio/virtq_used.c devices/virtio/virtq_sg.c devices/virtio/virtq_guest_ram.c \
	mm/guest_ram.c
