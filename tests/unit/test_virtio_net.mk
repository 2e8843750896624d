test_virtio_net_SRCS := tests/unit/fake_platform.c tests/fakes/flat_ram.c tests/fakes/vnet_side.c devices/virtio/virtio_net.c \
	devices/virtio/virtio_net_tx.c devices/virtio/virtio_net_tx_poll.c tests/fakes/idle_poll.c devices/virtio/virtio_net_rx.c \
	devices/virtio/virtqueue.c devices/virtio/virtq_pop.c devices/virtio/virtq_used.c \
	devices/virtio/virtq_sg.c net/switch.c net/mac_table.c net/offload.c net/csum.c net/segment.c net/port_format.c
