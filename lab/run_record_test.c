/* The run record's JSON (lab/run_record_json.c) and its hashes (lab/run_record.c). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_record.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(run_record, sha256_of_a_file)
{
	char path[] = "/tmp/tessera-run-record-XXXXXX", hex[65];
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path, "abc");
	cr_assert_eq(run_record_hash_file(path, hex), 0);
	/* FIPS 180-2's example */
	cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	unlink(path);
	cr_expect_eq(run_record_hash_file(path, hex), -1);
	cr_expect_str_eq(hex, "");
}

Test(run_record, image_hash_covers_content_and_order)
{
	char a[] = "/tmp/tessera-run-record-a-XXXXXX", b[] = "/tmp/tessera-run-record-b-XXXXXX";
	struct lab_run_record r1 = {0}, r2 = {0}, r3 = {0};
	struct machine m = {0};

	close(mkstemp(a));
	close(mkstemp(b));
	write_file(a, "hypervisor");
	write_file(b, "module");
	m.hv_image = a;
	m.modules[0] = b;
	m.nr_modules = 1;
	cr_assert_eq(run_record_hash_boot(&r1, &m), 0);
	cr_expect_eq(strlen(r1.image_sha256), 64);
	cr_expect(strstr(r1.images, a) && strstr(r1.images, b), "%s", r1.images);
	cr_expect(strstr(r1.images, a) < strstr(r1.images, b), "not in boot order: %s", r1.images);
	/* swapped: the same files, another boot */
	m.hv_image = b;
	m.modules[0] = a;
	cr_assert_eq(run_record_hash_boot(&r2, &m), 0);
	cr_expect_str_neq(r1.image_sha256, r2.image_sha256);
	/* one byte changed */
	m.hv_image = a;
	m.modules[0] = b;
	write_file(b, "modulE");
	cr_assert_eq(run_record_hash_boot(&r3, &m), 0);
	cr_expect_str_neq(r1.image_sha256, r3.image_sha256);
	unlink(b);
	cr_expect_eq(run_record_hash_boot(&r3, &m), -1, "a missing module must fail the hash");
	unlink(a);
	free(r1.images);
	free(r2.images);
	free(r3.images);
}

Test(run_record, json_has_every_field)
{
	struct lab_run_record r = {
		.seed = 7, .mode = "deterministic", .exit_status = 125, .load_start = 0.5, .load_end = 1.25};
	strcpy(r.started, "2026-12-03T09:00:00.000Z");
	strcpy(r.ended, "2026-12-03T09:00:01.500Z");
	strcpy(r.config_sha256, "c0");
	strcpy(r.image_sha256, "i0");
	strcpy(r.qemu_version, "QEMU emulator version 7.2.0");
	strcpy(r.git_revision, "abc-dirty");
	strcpy(r.host_cpu, "cpu");
	strcpy(r.host_kernel, "Linux 6");
	r.config = "/c.yaml";
	r.images = "0000000000000000000000000000000000000000000000000000000000000000  /hv.elf\n"
		   "1111111111111111111111111111111111111111111111111111111111111111  /tmp/x/config.blob\n";
	r.hv_cmdline = "a=1";
	r.qemu_cmdline = "qemu-system-x86_64 -kernel /hv.elf";
	r.repeat = "tessera run --config /c.yaml";

	char *text = lab_run_record_json(&r);
	json_error_t err;
	json_t *o = text ? json_loads(text, 0, &err) : NULL;
	cr_assert(o, "%s", text);
	cr_expect_eq(json_integer_value(json_object_get(o, "seed")), 7);
	cr_expect_eq(json_integer_value(json_object_get(o, "exit_status")), 125);
	cr_expect_str_eq(json_string_value(json_object_get(o, "mode")), "deterministic");
	cr_expect_str_eq(json_string_value(json_object_get(o, "config")), "/c.yaml");
	cr_expect(json_is_null(json_object_get(o, "faults")));
	cr_expect_str_eq(json_string_value(json_object_get(o, "repeat")), "tessera run --config /c.yaml");
	json_t *images = json_object_get(o, "images");
	cr_assert_eq(json_array_size(images), 2);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(images, 1), "path")),
			 "/tmp/x/config.blob");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(images, 0), "sha256")),
			 "0000000000000000000000000000000000000000000000000000000000000000");
	json_t *host = json_object_get(o, "host");
	cr_expect_float_eq(json_real_value(json_object_get(host, "load_end")), 1.25, 1e-9);
	cr_expect_str_eq(json_string_value(json_object_get(host, "kernel")), "Linux 6");
	json_decref(o);
	free(text);

	char path[] = "/tmp/tessera-run-record-json-XXXXXX";
	close(mkstemp(path));
	cr_assert_eq(lab_run_record_write(&r, path), 0);
	o = json_load_file(path, 0, &err);
	cr_expect(o, "%s: %s", path, err.text);
	json_decref(o);
	unlink(path);
	cr_expect_eq(lab_run_record_write(&r, "/nonexistent/dir/r.json"), -1);
}
