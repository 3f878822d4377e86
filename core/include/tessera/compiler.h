/* Compiler helpers shared by every toolchain (host, x86_64, arm64). */
#ifndef TESSERA_COMPILER_H
#define TESSERA_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define __noreturn     __attribute__((noreturn))
#define __packed       __attribute__((packed))
#define __aligned(x)   __attribute__((aligned(x)))
#define __section(s)   __attribute__((section(s)))
#define __unused       __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noinline     __attribute__((noinline))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)

#endif
