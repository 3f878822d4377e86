/* Ticket spinlock on compiler atomics: arch-neutral. */
#include <tessera/spinlock.h>

void arch_cpu_relax(void);

void spin_lock(struct spinlock *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

bool spin_trylock(struct spinlock *lock)
{
	uint32_t owner = __atomic_load_n(&lock->owner, __ATOMIC_RELAXED);
	uint32_t expected = owner;
	return __atomic_compare_exchange_n(&lock->next, &expected, owner + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->owner, lock->owner + 1, __ATOMIC_RELEASE);
}
