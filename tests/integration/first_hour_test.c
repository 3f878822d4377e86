/*
 * What a new user meets first: the README's commands, a new inmate, a missing image, the bench's output.
 * - Every command in the README's shell blocks goes through ./tessera (which builds first; out/tessera
 *   does not exist in a fresh clone), names a subcommand that exists, and every file it names exists.
 * - Every guest_image() under guests/ is built without being listed anywhere (guests/BUILD.gn collects
 *   them), and a config naming an image that is not there says how to build or add it.
 * - `tessera bench trace-cost` writes its JSON into the build directory, not the current one.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../lab/host_files.h"
#include "harness.h"

#define ROOT TESSERA_SOURCE_ROOT

static void out_dir(char *dir, size_t size)
{
	cr_assert_eq(lab_path_beside_exe(dir, size, ""), 0, "cannot read /proc/self/exe");
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* Check one README command: ./tessera, a known subcommand that answers --help, existing files. */
static void check_readme_command(char *line, unsigned int lineno)
{
	char *comment = strstr(line, "   #");
	if (comment)
		*comment = '\0';
	const char *words[16];
	unsigned int n = 0;
	for (char *save = NULL, *w = strtok_r(line, " \t", &save); w && n < 16;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	if (!n)
		return;
	cr_expect_str_eq(
		words[0], "./tessera",
		"README.md:%u: '%s' does not go through ./tessera (out/tessera is not built in a fresh "
		"clone)",
		lineno, words[0]);
	if (strcmp(words[0], "./tessera") || n < 2)
		return;
	/* The subcommand (and its verb, if the next word is one) must answer --help. */
	const char *args[5] = {0};
	unsigned int k = 0;
	if (words[1][0] != '-') {
		args[k++] = words[1];
		if (n > 2 && words[2][0] != '-' && !strchr(words[2], '/') && !strchr(words[2], '.'))
			args[k++] = words[2];
	}
	args[k++] = "--help";
	struct tessera_proc p;
	tessera_run(&p, 20, args);
	cr_expect_eq(p.status, 0, "README.md:%u: tessera %s %s --help: exit %d\n%s", lineno, words[1],
		     k > 2 ? args[1] : "", p.status, p.err);
	tessera_free(&p);
	/* Files of the repository that it names. */
	for (unsigned int i = 1; i < n; i++) {
		if (strncmp(words[i], "configs/", 8) && strncmp(words[i], "tests/", 6))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", ROOT, words[i]);
		cr_expect_eq(access(path, R_OK), 0, "README.md:%u: %s does not exist", lineno, words[i]);
	}
}

Test(first_hour, readme_commands_work_in_a_fresh_clone, .timeout = 120)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/README.md", ROOT);
	char *text = strdup(read_text(path));
	bool in_sh = false;
	unsigned int lineno = 0, commands = 0;

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++; /* strtok_r skips empty lines; README's blocks have none, so numbers stay close */
		if (!strncmp(line, "```", 3)) {
			in_sh = !in_sh && !strcmp(line, "```sh");
			continue;
		}
		if (in_sh) {
			/* `A && B`: each command on its own */
			char *comment = strstr(line, "   #");
			if (comment)
				*comment = '\0';
			for (char *cmd = line, *and; cmd; cmd = and) {
				and = strstr(cmd, "&&");
				if (and) {
					*and = '\0';
					and += 2;
				}
				commands++;
				check_readme_command(cmd, lineno);
			}
		}
	}
	cr_expect_geq(commands, 10, "found only %u commands in README.md's sh blocks", commands);
	free(text);
}

/* guest_image("NAME") names in a BUILD.gn text. */
static unsigned int image_names(const char *text, char names[][64], unsigned int max)
{
	unsigned int n = 0;
	for (const char *p = strstr(text, "guest_image(\""); p && n < max;
	     p = strstr(p + 1, "guest_image(\"")) {
		const char *start = p + strlen("guest_image(\""), *end = strchr(start, '"');
		if (end && end - start < 64)
			snprintf(names[n++], 64, "%.*s", (int)(end - start), start);
	}
	return n;
}

Test(first_hour, every_inmate_directory_is_built, .timeout = 30)
{
	char guests[PATH_MAX], out[PATH_MAX];
	unsigned int found = 0;

	snprintf(guests, sizeof(guests), "%s/guests", ROOT);
	out_dir(out, sizeof(out));
	DIR *d = opendir(guests);
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		char build[PATH_MAX + 300], names[8][64];
		struct stat st;
		snprintf(build, sizeof(build), "%s/%s/BUILD.gn", guests, e->d_name);
		if (e->d_name[0] == '.' || stat(build, &st))
			continue;
		unsigned int n = image_names(read_text(build), names, 8);
		for (unsigned int i = 0; i < n; i++, found++) {
			char elf[PATH_MAX * 2];
			snprintf(elf, sizeof(elf), "%s/x86_64_hv/%s.elf", out, names[i]);
			cr_expect_eq(access(elf, R_OK), 0, "guests/%s declares %s, but %s was not built",
				     e->d_name, names[i], elf);
		}
	}
	closedir(d);
	cr_expect_geq(found, 10, "only %u inmates found under guests/", found);
}

/* `tessera config compile` of configs/default.yaml with the probe's image renamed to image. */
static void compile_with_image(const char *image, struct tessera_proc *p)
{
	char dir[] = "/tmp/tessera-it-image.XXXXXX", yaml[64], blob[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(yaml, sizeof(yaml), "%s/my.yaml", dir);
	snprintf(blob, sizeof(blob), "%s/my.blob", dir);
	cr_assert_eq(sh("sed 's/image: probe.elf/image: %s/' %s/configs/default.yaml >%s", image, ROOT, yaml),
		     0);
	tessera_run(p, 20, (const char *const[]){"config", "compile", yaml, "-o", blob, NULL});
	sh("rm -rf %s", dir);
}

Test(first_hour, missing_image_says_how_to_add_it, .timeout = 30)
{
	struct tessera_proc p;

	compile_with_image("nosuch.elf", &p);
	cr_expect_eq(p.status, 2, "exit %d", p.status);
	cr_expect(has_line_with(p.err, "image 'nosuch.elf' not found"), "%s", p.err);
	cr_expect(has_line_with(p.err, "to add it: guests/nosuch/BUILD.gn with guest_image(\"nosuch\")"),
		  "the error does not say how to add the inmate: %s", p.err);
	cr_expect(has_line_with(p.err, "guests/README.md"), "%s", p.err);
	tessera_free(&p);
}

/*
 * An inmate of the tree whose image is not built: a copy of the tool in a scratch tree that has
 * guests/hello/BUILD.gn but no x86_64_hv/hello.elf beside the tool.
 */
Test(first_hour, unbuilt_image_says_how_to_build_it, .timeout = 30)
{
	char tree[] = "/tmp/tessera-it-tree.XXXXXX", out[PATH_MAX], cmd[PATH_MAX * 3];
	cr_assert_not_null(mkdtemp(tree));
	out_dir(out, sizeof(out));
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/out %s/guests/hello %s/configs && cp %s/tessera %s/out/ && "
		 "cp %s/guests/hello/BUILD.gn %s/guests/hello/ && "
		 "sed 's/image: probe.elf/image: hello.elf/' %s/configs/default.yaml >%s/configs/my.yaml",
		 tree, tree, tree, out, tree, ROOT, tree, ROOT, tree);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	snprintf(cmd, sizeof(cmd), "%s/out/tessera config compile %s/configs/my.yaml -o %s/my.blob 2>%s/err",
		 tree, tree, tree, tree);
	int st = system(cmd);
	char err_path[PATH_MAX];
	snprintf(err_path, sizeof(err_path), "%s/err", tree);
	const char *err = read_text(err_path);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "status %#x: %s", st, err);
	cr_expect(has_line_with(err, "image 'hello.elf' not found"), "%s", err);
	cr_expect(has_line_with(err, "guests/hello/ is not built yet: run ./tessera"),
		  "the error does not say how to build it: %s", err);
	sh("rm -rf %s", tree);
}

Test(first_hour, bench_json_goes_to_the_build_directory, .timeout = 60)
{
	char dir[] = "/tmp/tessera-it-cwd.XXXXXX", out[PATH_MAX], json[PATH_MAX + 32], old_cwd[PATH_MAX];
	struct tessera_proc p;
	struct stat st;

	cr_assert_not_null(mkdtemp(dir));
	out_dir(out, sizeof(out));
	snprintf(json, sizeof(json), "%s/bench-trace-cost.json", out);
	unlink(json);
	cr_assert_not_null(getcwd(old_cwd, sizeof(old_cwd)));
	cr_assert_eq(chdir(dir), 0);
	tessera_run(&p, 50,
		    (const char *const[]){"bench", "trace-cost", "--no-hv", "--min-time", "1000x", NULL});
	cr_assert_eq(chdir(old_cwd), 0);
	cr_expect_eq(p.status, 0, "exit %d: %s", p.status, p.err);
	cr_expect_eq(sh("test -z \"$(ls -A %s)\"", dir), 0,
		     "bench trace-cost wrote into the current directory");
	cr_expect_eq(stat(json, &st), 0, "no %s", json);
	char said[PATH_MAX + 64];
	snprintf(said, sizeof(said), "(Google Benchmark JSON in %s)", json);
	expect_line(&p, said);
	tessera_free(&p);
	sh("rm -rf %s", dir);
}

/*
 * `./tessera test` shows only test results: a unit test that provokes an error message captures it (and
 * checks it) instead of letting it reach the terminal, where it reads like a failure. Runs the unit tests
 * as ./tessera test does and lists every line that is not criterion's.
 */
Test(first_hour, unit_tests_print_only_their_results, .timeout = 240)
{
	char out[PATH_MAX], cmd[PATH_MAX * 2], log[] = "/tmp/tessera-it-unit.XXXXXX";
	int fd = mkstemp(log);
	cr_assert_geq(fd, 0);
	close(fd);
	out_dir(out, sizeof(out));
	/* a nested criterion runner must not inherit our worker's map */
	snprintf(cmd, sizeof(cmd), "env -u BXFI_MAP %s/unit_tests -j2 >%s 2>&1", out, log);
	int st = system(cmd);
	char *text = strdup(read_text(log));
	unlink(log);
	/* A failure names its tests: criterion's [FAIL] lines and the assertion lines before them. */
	char failed[4096] = "";
	for (const char *l = text, *nl; *l && strlen(failed) < sizeof(failed) - 256; l = nl + 1) {
		nl = strchrnul(l, '\n');
		if (!strncmp(l, "[FAIL]", 6) || !strncmp(l, "[----]", 6))
			snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed), "%.*s\n",
				 (int)(nl - l), l);
		if (!*nl)
			break;
	}
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unit tests: status %#x\n%s", st, failed);
	char others[4096] = "";
	size_t len = 0;
	unsigned int n = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] != '[') {
			n++;
			if (len < sizeof(others) - 1)
				len += (size_t)snprintf(others + len, sizeof(others) - len, "  %s\n", line);
		}
	cr_expect_eq(n, 0, "%u lines that are not test results:\n%s", n, others);
	free(text);
}
