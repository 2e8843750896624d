test_virtio_pci_SRCS := tests/unit/fake_platform.c tests/fakes/flat_ram.c \
	devices/virtio/virtio_pci.c devices/virtio/virtio_common.c devices/msix.c \
	devices/virtio/virtqueue.c devices/virtio/virtq_pop.c devices/virtio/virtq_used.c \
	devices/virtio/virtq_sg.c
