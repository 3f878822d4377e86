/* A run record as JSON (runner.h; the fields are described in docs/lab-runner.md). */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The images list ("SHA256  PATH" lines) as an array of {path, sha256}. */
static json_t *images_array(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; a && p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > 66 && p[64] == ' ' && p[65] == ' ')
			json_array_append_new(a, json_pack("{s:s%, s:s%}", "path", p + 66, len - 66, "sha256",
							   p, (size_t)64));
		p += len + (eol ? 1 : 0);
	}
	return a;
}

char *lab_run_record_json(const struct lab_run_record *rec)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "started", json_string(rec->started));
	json_object_set_new(o, "ended", json_string(rec->ended));
	json_object_set_new(o, "exit_status", json_integer(rec->exit_status));
	json_object_set_new(o, "mode", json_string(rec->mode ? rec->mode : "wallclock"));
	json_object_set_new(o, "seed", json_integer((json_int_t)rec->seed));
	json_object_set_new(o, "config", str_or_null(rec->config));
	json_object_set_new(o, "config_sha256", json_string(rec->config_sha256));
	json_object_set_new(o, "faults", str_or_null(rec->faults));
	json_object_set_new(o, "image_sha256", json_string(rec->image_sha256));
	json_object_set_new(o, "images", images_array(rec->images));
	json_object_set_new(o, "hv_cmdline", str_or_null(rec->hv_cmdline));
	json_object_set_new(o, "qemu_version", json_string(rec->qemu_version));
	json_object_set_new(o, "qemu_cmdline", str_or_null(rec->qemu_cmdline));
	json_object_set_new(o, "git_revision", json_string(rec->git_revision));
	json_object_set_new(o, "repeat", str_or_null(rec->repeat));
	json_object_set_new(o, "host",
			    json_pack("{s:s, s:s, s:f, s:f}", "cpu", rec->host_cpu, "kernel",
				      rec->host_kernel, "load_start", rec->load_start, "load_end",
				      rec->load_end));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

int lab_run_record_write(const struct lab_run_record *rec, const char *path)
{
	char tmp[PATH_MAX];
	char *text = lab_run_record_json(rec);

	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= sizeof(tmp)) {
		free(text);
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	int ret = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
	int e = errno;
	if (f && fclose(f))
		ret = -1, e = errno;
	if (!ret && rename(tmp, path))
		ret = -1, e = errno;
	if (ret)
		unlink(tmp);
	free(text);
	errno = e;
	return ret;
}
