/*
 * core/console/input.h - the console's input side. Bytes typed on yakvm's serial
 * console go to the focused VM's UART, or to its virtio console once the
 * guest opened it (hvc=on, devices/virtio/virtio_console.h). Ctrl-A three
 * times moves the focus to the next running VM, and after the last one to yakvm's monitor
 * (core/console/monitor.c); Ctrl-A then 'h' lists the bindings (the hotkey is in the
 * manner of Xen's).
 */
#ifndef YAKVM_CORE_INPUT_H
#define YAKVM_CORE_INPUT_H

/* Starts polling the console for input (a 10 ms device timer). */
void console_input_start(void);

#endif
