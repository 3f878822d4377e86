/*
 * The facts of a run record (run_record.h). Hashes are SHA-256 through OpenSSL's libcrypto (EVP), the
 * library Debian keeps patched; the QEMU version and the git revision come from the tools themselves,
 * asked once per process (neither changes under a running process; bisect starts a new one per commit).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "host_files.h"
#include "qemu_cmdline.h"
#include "run_record.h"

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void iso_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char date[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (snprintf(buf, size, "%s.%03dZ", date, (int)(ts.tv_nsec / 1000000)) >= (int)size)
		buf[0] = '\0'; /* cannot happen with the caller's 32 bytes */
}

static double load_now(void)
{
	double load[1];
	return getloadavg(load, 1) == 1 ? load[0] : -1.0;
}

static void host_cpu(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	copy_str(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon++;
		colon += strspn(colon, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		copy_str(buf, size, colon);
		break;
	}
	fclose(f);
}

static void host_kernel(char *buf, size_t size)
{
	struct utsname u;

	buf[0] = '\0';
	if (uname(&u))
		copy_str(buf, size, "unknown");
	else
		/* Piece by piece: a version string longer than the record keeps is cut, its start is
		 * enough (and snprintf of the three would warn that it may be). */
		for (const char *part[] = {u.sysname, " ", u.release, " ", u.version}, **p = part;
		     p < part + 5; p++) {
			size_t len = strlen(buf), add = strlen(*p);
			if (len + add >= size)
				add = size - len - 1;
			memcpy(buf + len, *p, add);
			buf[len + add] = '\0';
		}
}

/* The first line of a command's output, trimmed; "" when it fails. */
static void first_line(char *const *argv, char *buf, size_t size)
{
	char *out = NULL;
	int st = lab_spawn_capture(argv, false, &out);

	buf[0] = '\0';
	if (!st && out) {
		out[strcspn(out, "\r\n")] = '\0';
		copy_str(buf, size, out);
	}
	free(out);
}

/* The commit the executable's tree is at, "-dirty" when tracked files differ from it. */
void run_record_git_revision(char *buf, size_t size)
{
	static char cached[48];
	static bool done;
	char dir[PATH_MAX];

	if (!done && !lab_path_beside_exe(dir, sizeof(dir), "")) {
		char *rev[] = {"git", "-C", dir, "rev-parse", "HEAD", NULL};
		char *status[] = {"git", "-C", dir, "status", "--porcelain", "--untracked-files=no", NULL};
		char *out = NULL;

		first_line(rev, cached, sizeof(cached));
		if (cached[0] && !lab_spawn_capture(status, false, &out) && out && out[0])
			snprintf(cached + strlen(cached), sizeof(cached) - strlen(cached), "-dirty");
		free(out);
	}
	done = true;
	copy_str(buf, size, cached[0] ? cached : "unknown");
}

void run_record_qemu_version(const char *qemu, char *buf, size_t size)
{
	static char cached_for[PATH_MAX], cached[64];

	if (strcmp(cached_for, qemu)) {
		char *argv[] = {(char *)qemu, "--version", NULL};
		first_line(argv, cached, sizeof(cached));
		copy_str(cached_for, sizeof(cached_for), qemu);
	}
	copy_str(buf, size, cached[0] ? cached : "unknown");
}

void run_record_begin(struct lab_run_record *rec, const struct lab_system *s)
{
	rec->seed = s->seed;
	rec->mode = s->mode == LAB_MODE_DETERMINISTIC ? "deterministic" : "wallclock";
	iso_now(rec->started, sizeof(rec->started));
	rec->load_start = load_now();
	host_cpu(rec->host_cpu, sizeof(rec->host_cpu));
	host_kernel(rec->host_kernel, sizeof(rec->host_kernel));
	run_record_git_revision(rec->git_revision, sizeof(rec->git_revision));
}

static void hex_digest(const unsigned char *d, unsigned int n, char *hex)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[2 * n] = '\0';
}

/* The file's SHA-256 into digest (32 bytes). */
static int hash_file(const char *path, unsigned char *digest)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	EVP_MD_CTX *ctx = fd >= 0 ? EVP_MD_CTX_new() : NULL;
	unsigned char buf[65536];
	int ret = -1;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (!n)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			goto out;
	}
	ret = EVP_DigestFinal_ex(ctx, digest, NULL) ? 0 : -1;
out:
	EVP_MD_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return ret;
}

int run_record_hash_file(const char *path, char hex[65])
{
	unsigned char d[32];

	hex[0] = '\0';
	if (hash_file(path, d))
		return -1;
	hex_digest(d, 32, hex);
	return 0;
}

/* image_sha256 = SHA-256 of the files' own SHA-256 digests (32 bytes each), in boot order: a change to
 * any file, or to the order, changes it, and each file's digest is listed in `images` to find which. */
int run_record_hash_boot(struct lab_run_record *rec, const struct machine *m)
{
	const char *files[MACHINE_MAX_MODULES + 1];
	unsigned int n = 0;
	char *list = NULL;
	size_t list_size = 0;
	FILE *f = open_memstream(&list, &list_size);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = -1;

	if (!f || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	files[n++] = m->hv_image;
	for (unsigned int i = 0; i < m->nr_modules; i++)
		files[n++] = m->modules[i];
	for (unsigned int i = 0; i < n; i++) {
		unsigned char d[32];
		char hex[65];
		if (hash_file(files[i], d) || !EVP_DigestUpdate(ctx, d, sizeof(d)))
			goto out;
		hex_digest(d, 32, hex);
		fprintf(f, "%s  %s\n", hex, files[i]);
	}
	unsigned char d[32];
	if (!EVP_DigestFinal_ex(ctx, d, NULL))
		goto out;
	hex_digest(d, 32, rec->image_sha256);
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	if (f && !fclose(f) && !ret) {
		free(rec->images);
		rec->images = list;
	} else {
		free(list);
		ret = -1;
	}
	return ret;
}

void run_record_set_qemu(struct lab_run_record *rec, const char *qemu, char *const *argv,
			 const char *hv_cmdline)
{
	run_record_qemu_version(qemu, rec->qemu_version, sizeof(rec->qemu_version));
	free(rec->qemu_cmdline);
	rec->qemu_cmdline = qemu_cmdline_format(argv);
	free(rec->hv_cmdline);
	rec->hv_cmdline = strdup(hv_cmdline ? hv_cmdline : "");
}

void run_record_set_repeat(struct lab_run_record *rec, const struct lab_system *s, const char *config,
			   unsigned int timeout_s)
{
	char tessera[PATH_MAX], smp[16], timeout[16];
	char **argv;
	int n = 0;

	free(rec->repeat);
	rec->repeat = NULL;
	if (s->hv_image || s->qemu || lab_path_beside_exe(tessera, sizeof(tessera), "tessera"))
		return;
	argv = calloc((size_t)(s->nr_qemu_args > 0 ? s->nr_qemu_args : 0) + 32, sizeof(*argv));
	if (!argv)
		return;
	/* qemu_cmdline_format() only reads them: the casts fit its type */
	argv[n++] = tessera;
	argv[n++] = "run";
	if (s->no_config) {
		argv[n++] = "--no-config";
	} else if (config) {
		argv[n++] = "--config";
		argv[n++] = (char *)config;
	}
	if (s->faults) {
		argv[n++] = "--faults";
		argv[n++] = rec->faults ? rec->faults : (char *)s->faults;
	}
	if (s->batch) {
		argv[n++] = "--batch";
		argv[n++] = (char *)s->batch;
	}
	if (s->hv_cmdline && s->hv_cmdline[0]) {
		argv[n++] = "--append";
		argv[n++] = (char *)s->hv_cmdline;
	}
	if (s->smp) {
		snprintf(smp, sizeof(smp), "%u", s->smp);
		argv[n++] = "--smp";
		argv[n++] = smp;
	}
	if (s->mem) {
		argv[n++] = "--mem";
		argv[n++] = (char *)s->mem;
	}
	if (s->cpu) {
		argv[n++] = "--cpu";
		argv[n++] = (char *)s->cpu;
	}
	if (s->channel) {
		argv[n++] = "--channel";
		argv[n++] = (char *)s->channel;
	}
	if (s->bundle)
		argv[n++] = "--bundle";
	snprintf(timeout, sizeof(timeout), "%u", timeout_s);
	argv[n++] = "--timeout";
	argv[n++] = timeout;
	if (s->mode == LAB_MODE_DETERMINISTIC || s->nr_qemu_args > 0)
		argv[n++] = "--";
	if (s->mode == LAB_MODE_DETERMINISTIC) {
		argv[n++] = LAB_ICOUNT_OPTION;
		argv[n++] = LAB_ICOUNT_VALUE;
	}
	for (int i = 0; i < s->nr_qemu_args; i++)
		argv[n++] = s->qemu_args[i];
	argv[n] = NULL;
	rec->repeat = qemu_cmdline_format(argv);
	free(argv);
}

void run_record_end(struct lab_run_record *rec, int exit_status)
{
	rec->exit_status = exit_status;
	rec->load_end = load_now();
	iso_now(rec->ended, sizeof(rec->ended));
}
