/*
 * The QMP client against a scripted server on a unix socket (a thread): the greeting and capabilities
 * handshake, events between a command and its answer, the request QEMU would receive for `mce`, QEMU's
 * refusal text and error answers, and a server that never answers.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp.h"

struct script {
	char path[108];
	int listen_fd;
	const char *const *steps; /* ">" lines the client must send (exact), "<" lines to send back */
	char got[8][512];	  /* what the client sent, for the checks */
	int nr_got;
};

static void *serve(void *arg)
{
	struct script *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);
	FILE *in = fdopen(dup(fd), "r");

	for (const char *const *st = s->steps; *st; st++) {
		if ((*st)[0] == '<') {
			(void)!write(fd, *st + 1, strlen(*st + 1));
			(void)!write(fd, "\n", 1);
		} else if (s->nr_got < 8 && fgets(s->got[s->nr_got], sizeof(s->got[0]), in)) {
			s->got[s->nr_got][strcspn(s->got[s->nr_got], "\n")] = '\0';
			s->nr_got++;
		}
	}
	fclose(in);
	close(fd);
	return NULL;
}

static pthread_t start(struct script *s, const char *const *steps)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	pthread_t t;

	snprintf(s->path, sizeof(s->path), "/tmp/tessera-qmp-test.%d", (int)getpid());
	unlink(s->path);
	strcpy(addr.sun_path, s->path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	cr_assert(listen(s->listen_fd, 1) == 0);
	s->steps = steps;
	s->nr_got = 0;
	pthread_create(&t, NULL, serve, s);
	return t;
}

static void finish(struct script *s, pthread_t t)
{
	pthread_join(t, NULL);
	close(s->listen_fd);
	unlink(s->path);
}

#define GREETING "<{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, \"capabilities\": []}}"

Test(qmp, handshake_and_mce_through_the_human_monitor)
{
	static const char *const steps[] = {
		GREETING,
		">",
		"<{\"return\": {}}",
		">",
		"<{\"timestamp\": {\"seconds\": 1}, \"event\": \"RESUME\"}",
		"<{\"return\": \"\"}",
		NULL,
	};
	struct script s;
	struct qmp q;
	pthread_t t = start(&s, steps);

	cr_assert_eq(qmp_connect(&q, s.path, 1000), 0, "%s", q.error);
	cr_expect_eq(qmp_mce(&q, 1, 2, 0xbd00000000000000ULL, 5, 0x4001000, 0), 0, "%s", q.error);
	qmp_close(&q);
	finish(&s, t);
	cr_assert_eq(s.nr_got, 2);
	cr_expect_str_eq(s.got[0], "{\"execute\":\"qmp_capabilities\"}");
	cr_expect_str_eq(s.got[1], "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":"
				   "\"mce 1 2 0xbd00000000000000 0x5 0x4001000 0\"}}");
}

Test(qmp, monitor_refusal_and_error_answers_fail_the_call)
{
	static const char *const steps[] = {
		GREETING,
		">",
		"<{\"return\": {}}",
		">",
		"<{\"return\": \"CPU 7: Uncorrected error reporting disabled for bank 1\\r\\n\"}",
		">",
		"<{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been "
		"found\"}}",
		">",
		"<{\"return\": {\"status\": \"running\"}}",
		NULL,
	};
	struct script s;
	struct qmp q;
	char reply[128];
	pthread_t t = start(&s, steps);

	cr_assert_eq(qmp_connect(&q, s.path, 1000), 0, "%s", q.error);
	cr_expect_eq(qmp_mce(&q, 7, 1, 0xb200000000000000ULL, 5, 0, 0), -1);
	cr_expect(strstr(q.error, "Uncorrected error reporting disabled"), "%s", q.error);
	cr_expect_eq(qmp_execute(&q, "{\"execute\":\"nope\"}", NULL, 0), -1);
	cr_expect(strstr(q.error, "CommandNotFound"), "%s", q.error);
	cr_expect_eq(qmp_execute(&q, "{\"execute\":\"query-status\"}", reply, sizeof(reply)), 0, "%s",
		     q.error);
	cr_expect_str_eq(reply, "{\"status\":\"running\"}");
	qmp_close(&q);
	finish(&s, t);
}

Test(qmp, silence_and_missing_socket_end_in_errors)
{
	static const char *const steps[] = {GREETING, ">", NULL};
	struct script s;
	struct qmp q;
	pthread_t t = start(&s, steps);

	cr_expect_eq(qmp_connect(&q, "/tmp/tessera-qmp-test-none", 100), -1);
	cr_expect(strstr(q.error, "cannot connect"), "%s", q.error);
	/* The server reads the capabilities request and closes without answering. */
	cr_expect_eq(qmp_connect(&q, s.path, 1000), -1);
	cr_expect(strstr(q.error, "closed") || strstr(q.error, "no answer"), "%s", q.error);
	finish(&s, t);
}
