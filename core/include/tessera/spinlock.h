/* A ticket spinlock: FIFO-fair, so that no CPU starves on the console or the page pool. */
#ifndef TESSERA_SPINLOCK_H
#define TESSERA_SPINLOCK_H

#include <tessera/compiler.h>

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);
bool spin_trylock(struct spinlock *lock);

#endif
