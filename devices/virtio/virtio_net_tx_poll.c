/*
 * devices/virtio/virtio_net_tx_poll.c - transmitq1 without notifications
 * while a CPU is idle (virtio 1.1, 2.6.10: notifications are a hint).
 *
 * A notification costs the guest an exit per frame or burst. When one
 * comes while some CPU has no vCPU to run, yakvm turns the queue's
 * notifications off (VIRTQ_USED_F_NO_NOTIFY, 2.6.10.1) and the idle CPU
 * takes its chains (core/run/idle_poll.h: vhost's worker), as does each
 * exit of the VM's own vCPUs. Once the queue has been quiet for
 * VNET_TX_POLL_NS, or no CPU is idle any more, notifications go back on
 * and avail idx is read once more after that (2.6.13.4.1's fence, the
 * device's side): chains added meanwhile, or left by the budget, are
 * served by the timer at once, one round per timers_run. The timer also
 * covers a VM that makes no exit while no CPU polls for it.
 *
 * Everything here runs under the device lock; the idle CPU only tries it.
 */
#include "devices/virtio/virtio_net.h"
#include "devices/bus.h"
#include "core/vm/vm.h"
#include "core/run/idle_poll.h"

static bool tx_live(const struct virtio_dev *vd)
{
	const struct virtq *vq = &vd->vq[VNET_TXQ];
	return (vd->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && vq->enabled && !vq->broken;
}

void vnet_tx_poll_stop(struct vnet *vn, bool for_good)
{
	__atomic_store_n(&vn->tx_poll.wanted, false, __ATOMIC_SEQ_CST);
	if (for_good) {
		vtimer_freeze(&vn->tx_timer);
		idle_poll_remove(&vn->tx_poll);
	} else {
		vtimer_cancel(&vn->tx_timer);
	}
}

/* Chains taken (by whom: enum vnet_tx_by), then polling on or off. */
static void serve(struct vnet *vn, enum vnet_tx_by by)
{
	struct virtq *vq = &vn->vd->vq[VNET_TXQ];
	unsigned taken = tx_live(vn->vd) ? vnet_tx(vn) : 0;
	if (vq->broken && by != VNET_TX_BY_NOTIFY)	/* the transport's, else */
		virtio_needs_reset(vn->vd, virtq_error_name(vq->broken));
	if (!tx_live(vn->vd)) {
		vnet_tx_poll_stop(vn, false);
		return;
	}
	uint64_t now = time_ns();
	if (taken || by == VNET_TX_BY_NOTIFY) {
		vn->tx_busy_ns = now;
		vn->tx_polled[by] += taken != 0;
	}
	bool polling = vn->tx_poll.wanted;
	if (vn->tx_poll.poll && idle_poll_spare() && now - vn->tx_busy_ns < VNET_TX_POLL_NS) {
		if (!polling) {
			virtq_set_notify(vq, false);
			idle_poll_want(&vn->tx_poll);
		}
		if (!polling || taken)	/* for when nobody polls */
			vtimer_arm(&vn->tx_timer, now + VNET_TX_POLL_NS);
		return;
	}
	__atomic_store_n(&vn->tx_poll.wanted, false, __ATOMIC_SEQ_CST);
	if (virtq_set_notify(vq, true))
		vtimer_arm(&vn->tx_timer, now);	/* chains wait: left, or new */
	else if (polling)
		vtimer_cancel(&vn->tx_timer);
}

void vnet_tx_notified(struct vnet *vn)
{
	serve(vn, VNET_TX_BY_NOTIFY);
}

void vnet_tx_exit_poll(void *arg)
{
	struct vnet *vn = arg;
	if (!__atomic_load_n(&vn->tx_poll.wanted, __ATOMIC_ACQUIRE))
		return;
	uint64_t f = device_lock(vn->vd->dev);
	if (vn->tx_poll.wanted)
		serve(vn, VNET_TX_BY_EXIT);
	device_unlock(vn->vd->dev, f);
}

static void idle_poll(struct idle_poll *ip)
{
	struct vnet *vn = (struct vnet *)((char *)ip - __builtin_offsetof(struct vnet, tx_poll));
	uint64_t f;
	if (!device_trylock(vn->vd->dev, &f))
		return;		/* its own CPU is at it */
	if (vn->tx_poll.wanted)
		serve(vn, VNET_TX_BY_IDLE_CPU);
	device_unlock(vn->vd->dev, f);
}

static void timer_fire(struct vtimer *t)
{
	struct vnet *vn = t->data;
	uint64_t f = device_lock(vn->vd->dev);
	serve(vn, VNET_TX_BY_TIMER);
	device_unlock(vn->vd->dev, f);
}

void vnet_tx_init(struct vnet *vn)
{
	vn->tx_timer = (struct vtimer){ .fire = timer_fire, .data = vn,
					.fire_count = vn->vd->vm ? &vn->vd->vm->timer_fires : NULL };
	vn->tx_poll = (struct idle_poll){ .poll = idle_poll };
	if (!idle_poll_add(&vn->tx_poll)) {
		vn->tx_poll.poll = NULL;	/* never wanted: notifications stay on */
		return;
	}
	if (vn->vd->vm)
		vm_add_exit_poll(vn->vd->vm, vnet_tx_exit_poll, vn);
}
