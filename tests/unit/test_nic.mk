test_nic_SRCS := drivers/net/nic_ring.c drivers/net/virtio_ring.c drivers/net/probe_frames.c lib/string.c
