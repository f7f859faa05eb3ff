/* A 512-byte boot sector that stands in for the guest OS: it prints MARKER on COM1, then
 * powers the machine off through ACPI (PM1a_CNT at 0x604, SLP_TYP|SLP_EN = 0x2000, which is
 * where SeaBIOS puts it on QEMU's pc and q35 machines). Built with -DLOOP_FOREVER it ignores
 * everything and spins instead, like a guest that does not answer ACPI. */
    .code16
    .section .text
    .globl _start
_start:
    cli
    xorw    %ax, %ax
    movw    %ax, %ds
    movw    %ax, %ss
    movw    $0x7c00, %sp
    cld
    movw    $message, %si
next_character:
    lodsb
    testb   %al, %al
    jz      printed
    movb    %al, %bl
    movw    $0x3fd, %dx         /* line status register of COM1 */
wait_transmitter:
    inb     %dx, %al
    testb   $0x20, %al          /* transmit holding register empty */
    jz      wait_transmitter
    movw    $0x3f8, %dx
    movb    %bl, %al
    outb    %al, %dx
    jmp     next_character
printed:
#ifndef LOOP_FOREVER
    movw    $0x604, %dx
    movw    $0x2000, %ax
    outw    %ax, %dx
#endif
halt:
    hlt
    jmp     halt

message:
    .ascii  "\r\n"
    .ascii  MARKER
    .asciz  "\r\n"

    .org    510
    .word   0xaa55
