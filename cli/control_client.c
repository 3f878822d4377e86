/* The host side of the control ABI (control_client.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control_client.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CPU 0 looks at the mailbox about every millisecond: poll faster than that, without spinning. */
static void nap(void)
{
	struct timespec ts = {0, 200000};
	nanosleep(&ts, NULL);
}

int control_open(const char *path, unsigned int timeout_ms, struct control_channel *ch, char *why, size_t n)
{
	struct stat st;
	long long end = now_ms() + timeout_ms;
	int fd;

	/* A run just started creates the file a moment later (whole: cli/run.c renames it into place; a
	 * file still too small is waited for too, in case another program made it). */
	for (;; nap()) {
		fd = open(path, O_RDWR);
		if (fd >= 0 && !fstat(fd, &st) && (size_t)st.st_size >= sizeof(struct tessera_trace_control))
			break;
		if ((fd < 0 && errno != ENOENT) || now_ms() >= end)
			break;
		if (fd >= 0)
			close(fd);
	}
	memset(ch, 0, sizeof(*ch));
	if (fd < 0 || fstat(fd, &st) || (size_t)st.st_size < sizeof(struct tessera_trace_control)) {
		snprintf(why, n, "%s: %s", path, fd < 0 ? strerror(errno) : "too small to be a host channel");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ch->len = (size_t)st.st_size;
	ch->map = mmap(NULL, ch->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (ch->map == MAP_FAILED) {
		snprintf(why, n, "%s: mmap: %s", path, strerror(errno));
		ch->map = NULL;
		return -1;
	}
	ch->ctl = ch->map;
	for (;; nap()) {
		if (__atomic_load_n(&ch->ctl->magic, __ATOMIC_ACQUIRE) == TESSERA_TRACE_MAGIC)
			break;
		if (now_ms() > end) {
			snprintf(why, n,
				 "%s: no hypervisor has published its control block there (is `tessera run "
				 "--channel %s` running?)",
				 path, path);
			control_close(ch);
			return -1;
		}
	}
	if (ch->ctl->version != TESSERA_TRACE_VERSION) {
		snprintf(why, n, "%s: control block version %u, this tool speaks %u", path, ch->ctl->version,
			 TESSERA_TRACE_VERSION);
		control_close(ch);
		return -1;
	}
	return 0;
}

int control_send(struct control_channel *ch, uint32_t op, struct tessera_control_request *req,
		 unsigned int timeout_ms, int32_t *result, char *why, size_t n)
{
	volatile struct tessera_control_mailbox *mb = &ch->ctl->mailbox;
	long long end = now_ms() + timeout_ms;
	uint32_t seq;

	/* Another tool's command in flight: wait for its answer first. */
	while ((seq = __atomic_load_n(&mb->seq, __ATOMIC_ACQUIRE)) !=
	       __atomic_load_n(&mb->ack, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end) {
			snprintf(why, n, "the mailbox stayed busy with another command");
			return -1;
		}
		nap();
	}
	memcpy((void *)&mb->req, req, sizeof(*req));
	mb->op = op;
	__atomic_store_n(&mb->seq, seq + 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mb->ack, __ATOMIC_ACQUIRE) != seq + 1) {
		if (now_ms() > end || !__atomic_load_n(&ch->ctl->running, __ATOMIC_ACQUIRE)) {
			snprintf(why, n, "no answer from the hypervisor (it has %s)",
				 ch->ctl->running ? "not served its mailbox in time" : "shut down");
			return -1;
		}
		nap();
	}
	memcpy(req->args, (const void *)mb->req.args, sizeof(req->args));
	*result = mb->result;
	return 0;
}

int control_cell_id(const struct control_channel *ch, const char *name)
{
	for (unsigned int i = 0; i < ch->ctl->nr_cells && i < TESSERA_TRACE_MAX_CELLS; i++)
		if (!strncmp((const char *)ch->ctl->cells[i].name, name, TESSERA_TRACE_NAME_LEN))
			return (int)i;
	return -1;
}

void control_close(struct control_channel *ch)
{
	if (ch->map)
		munmap(ch->map, ch->len);
	memset(ch, 0, sizeof(*ch));
}
