/* The QMP client (qmp.h). */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

#define QMP_TIMEOUT_MS 10000

static int fail(struct qmp *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* The next message (a JSON object on one line), parsed; NULL with q->error set. */
static json_t *read_message(struct qmp *q)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			json_error_t jerr;
			size_t line = (size_t)(nl - q->buf) + 1;
			json_t *msg = json_loadb(q->buf, line, 0, &jerr);
			memmove(q->buf, q->buf + line, q->len - line);
			q->len -= line;
			if (!msg || !json_is_object(msg)) {
				json_decref(msg);
				fail(q, "QMP sent something that is not a JSON object: %s", jerr.text);
				return NULL;
			}
			return msg;
		}
		if (q->len == sizeof(q->buf)) {
			fail(q, "QMP message longer than %zu bytes", sizeof(q->buf));
			return NULL;
		}
		struct pollfd pfd = {.fd = q->fd, .events = POLLIN};
		int r = poll(&pfd, 1, q->timeout_ms);
		if (r == 0) {
			fail(q, "no answer from QMP within %d ms", q->timeout_ms);
			return NULL;
		}
		ssize_t n = r < 0 ? -1 : read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (n <= 0) {
			fail(q, "QMP connection %s", n == 0 ? "closed" : strerror(errno));
			return NULL;
		}
		q->len += (size_t)n;
	}
}

/* The answer to the command just sent: events are skipped, an error becomes q->error. */
static json_t *read_answer(struct qmp *q)
{
	for (;;) {
		json_t *msg = read_message(q);
		if (!msg)
			return NULL;
		if (json_object_get(msg, "return"))
			return msg;
		json_t *err = json_object_get(msg, "error");
		if (err) {
			fail(q, "QMP error: %s: %s", json_string_value(json_object_get(err, "class")) ?: "?",
			     json_string_value(json_object_get(err, "desc")) ?: "?");
			json_decref(msg);
			return NULL;
		}
		json_decref(msg); /* an event, or the greeting repeated: not ours */
	}
}

static int send_all(struct qmp *q, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = send(q->fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(q, "QMP write: %s", strerror(errno));
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int qmp_connect(struct qmp *q, const char *path, int wait_ms)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	memset(q, 0, sizeof(*q));
	q->timeout_ms = QMP_TIMEOUT_MS;
	if (strlen(path) >= sizeof(addr.sun_path))
		return fail(q, "socket path too long: %s", path);
	strcpy(addr.sun_path, path);
	for (int waited = 0;; waited += 50) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0)
			return fail(q, "socket: %s", strerror(errno));
		if (connect(q->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			break;
		int err = errno;
		close(q->fd);
		q->fd = -1;
		if ((err != ENOENT && err != ECONNREFUSED) || waited >= wait_ms)
			return fail(q, "cannot connect to QMP at %s: %s", path, strerror(err));
		nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
	}
	json_t *greeting = read_message(q);
	bool ok = greeting && json_object_get(greeting, "QMP");
	json_decref(greeting);
	if (!ok) {
		if (!q->error[0])
			fail(q, "%s does not greet like QMP", path);
		qmp_close(q);
		return -1;
	}
	if (qmp_execute(q, "{\"execute\":\"qmp_capabilities\"}", NULL, 0)) {
		qmp_close(q);
		return -1;
	}
	return 0;
}

int qmp_execute(struct qmp *q, const char *json, char *reply, size_t size)
{
	if (q->fd < 0)
		return fail(q, "QMP not connected");
	if (send_all(q, json) || send_all(q, "\n"))
		return -1;
	json_t *answer = read_answer(q);
	if (!answer)
		return -1;
	if (reply && size) {
		json_t *ret = json_object_get(answer, "return");
		char *text = json_is_string(ret) ? strdup(json_string_value(ret))
						 : json_dumps(ret, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(reply, size, "%s", text ? text : "");
		free(text);
	}
	json_decref(answer);
	return 0;
}

int qmp_hmp(struct qmp *q, const char *command_line, char *out, size_t size)
{
	json_t *req = json_pack("{s:s, s:{s:s}}", "execute", "human-monitor-command", "arguments",
				"command-line", command_line);
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	int ret = text ? qmp_execute(q, text, out, size) : fail(q, "out of memory");

	free(text);
	json_decref(req);
	return ret;
}

int qmp_mce(struct qmp *q, unsigned int cpu, unsigned int bank, uint64_t status, uint64_t mcg_status,
	    uint64_t addr, uint64_t misc)
{
	char cmd[160], out[512];

	snprintf(cmd, sizeof(cmd), "mce %u %u %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64, cpu, bank,
		 status, mcg_status, addr, misc);
	if (qmp_hmp(q, cmd, out, sizeof(out)))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	if (out[0])
		return fail(q, "%s: %s", cmd, out);
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
