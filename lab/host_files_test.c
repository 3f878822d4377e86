/* The host chores of lab/host_files.c, the channel file and the console text. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "console_text.h"
#include "host_files.h"

Test(host_files, path_beside_exe_is_the_executables_directory)
{
	char exe[PATH_MAX], dir[PATH_MAX], beside[PATH_MAX];

	cr_assert_eq(lab_exe_path(exe, sizeof(exe)), 0);
	cr_assert_eq(lab_path_beside_exe(dir, sizeof(dir), ""), 0);
	cr_assert_eq(lab_path_beside_exe(beside, sizeof(beside), "x/y"), 0);
	cr_expect_eq(strncmp(exe, dir, strlen(dir)), 0, "%s is not in %s", exe, dir);
	cr_expect_eq(exe[strlen(dir)], '/');
	cr_expect(strstr(exe + strlen(dir), "unit_tests") != NULL, "%s", exe);
	char want[PATH_MAX + 8];
	snprintf(want, sizeof(want), "%s/x/y", dir);
	cr_expect_str_eq(beside, want);
	/* too small: refused, not cut */
	char tiny[4];
	cr_expect_eq(lab_exe_path(tiny, sizeof(tiny)), -1);
	cr_expect_eq(lab_path_beside_exe(tiny, sizeof(tiny), "x"), -1);
}

Test(host_files, spawn_capture_status_and_output)
{
	char *out = NULL;

	cr_expect_eq(lab_spawn_capture((char *[]){"sh", "-c", "echo one; echo two >&2; exit 3", NULL}, false,
				       &out),
		     3);
	cr_expect_str_eq(out, "one\n", "stderr must be dropped without merge_stderr");
	free(out);
	cr_expect_eq(lab_spawn_capture((char *[]){"sh", "-c", "echo one; echo two >&2", NULL}, true, &out),
		     0);
	cr_expect_str_eq(out, "one\ntwo\n");
	free(out);
	cr_expect_eq(lab_spawn_capture((char *[]){"sh", "-c", "kill -TERM $$", NULL}, false, &out), 128 + 15);
	free(out);
	cr_expect_eq(lab_spawn_capture((char *[]){"/nonexistent/tool", NULL}, false, &out), 127);
	cr_expect_str_eq(out, "");
	free(out);
	/* more than one read's worth */
	cr_expect_eq(lab_spawn_capture((char *[]){"sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x", NULL},
				       false, &out),
		     0);
	cr_expect_eq(strlen(out), 300000);
	free(out);
}

Test(host_files, capture_run_streams_apart_timeout_and_stop)
{
	struct lab_capture c;

	lab_capture_run(&c, (char *const[]){"sh", "-c", "echo out; echo err >&2; exit 3", NULL}, 30, NULL);
	cr_expect_eq(c.status, 3);
	cr_expect_not(c.timed_out);
	cr_expect_str_eq(c.out, "out\n");
	cr_expect_str_eq(c.err, "err\n");
	lab_capture_free(&c);

	/* Past its time: SIGTERM (143 as a shell reports it, 128 + 15 here). */
	lab_capture_run(&c, (char *const[]){"sleep", "30", NULL}, 1, NULL);
	cr_expect(c.timed_out);
	cr_expect_eq(c.status, 128 + SIGTERM, "status %d", c.status);
	lab_capture_free(&c);

	/* A stop already asked: nothing starts. */
	volatile sig_atomic_t stop = SIGINT;
	lab_capture_run(&c, (char *const[]){"echo", "no", NULL}, 30, &stop);
	cr_expect_eq(c.status, -1);
	cr_expect_str_eq(c.out, "");
	lab_capture_free(&c);

	lab_capture_run(&c, (char *const[]){"/nonexistent/x", NULL}, 30, NULL);
	cr_expect_eq(c.status, 127);
	lab_capture_free(&c);
}

/* The child's "cannot run" goes to our stderr: redirected, so the unit tests print only results. */
Test(host_files, spawn_and_wait, .init = cr_redirect_stderr)
{
	pid_t pid = lab_spawn((char *const[]){"sh", "-c", "exit 5", NULL});
	cr_assert_gt(pid, 0);
	cr_expect_eq(lab_wait(pid), 5);
	pid = lab_spawn((char *const[]){"/nonexistent/x", NULL});
	cr_assert_gt(pid, 0);
	cr_expect_eq(lab_wait(pid), 127);
}

/*
 * lab_spawn_with(): the child's stdout goes where asked, it sees the variable, and with own_group it leads
 * a process group of its own (what bench bisect signals as a whole) whichever of the two ran first.
 */
Test(host_files, spawn_with_group_stdout_and_env)
{
	char path[] = "/tmp/tessera-spawn-XXXXXX", text[128] = {0};
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	struct lab_spawn_opts o = {
		.own_group = true, .stdout_fd = fd, .env_name = "TESSERA_SPAWN_T", .env_value = "v1"};
	pid_t pid = lab_spawn_with(
		(char *const[]){"sh", "-c", "echo \"$TESSERA_SPAWN_T $$ $(ps -o pgid= $$)\"", NULL}, &o);
	cr_assert_gt(pid, 0);
	cr_expect_eq(getpgid(pid), pid, "the parent made the group before returning");
	cr_expect_eq(lab_wait(pid), 0);
	close(fd);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(text, sizeof(text), f));
	fclose(f);
	unlink(path);
	long got_pid = 0, got_group = 0;
	char var[16] = "";
	cr_assert_eq(sscanf(text, "%15s %ld %ld", var, &got_pid, &got_group), 3, "%s", text);
	cr_expect_str_eq(var, "v1");
	cr_expect_eq(got_pid, pid);
	cr_expect_eq(got_group, pid, "the child leads its own group: %s", text);

	/* without own_group it stays in ours */
	pid = lab_spawn_with((char *const[]){"sh", "-c", "sleep 1", NULL},
			     &(struct lab_spawn_opts){.stdout_fd = -1});
	cr_assert_gt(pid, 0);
	cr_expect_eq(getpgid(pid), getpgid(0));
	cr_expect_eq(lab_wait(pid), 0);
}

Test(host_files, scratch_dir_and_remove_tree)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	cr_assert_eq(lab_make_scratch_dir(dir, sizeof(dir), "tessera-host-files-test"), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/file", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("x", f);
	fclose(f);
	/* a link out of the tree is removed, not followed */
	char outside[] = "/tmp/tessera-host-files-keep-XXXXXX";
	int fd = mkstemp(outside);
	cr_assert_geq(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/link", dir);
	cr_assert_eq(symlink(outside, path), 0);
	cr_expect_eq(lab_remove_tree(dir), 0);
	cr_expect_neq(access(dir, F_OK), 0, "%s is still there", dir);
	cr_expect_eq(access(outside, F_OK), 0, "the link's target went too");
	unlink(outside);
	char tiny[8];
	cr_expect_eq(lab_make_scratch_dir(tiny, sizeof(tiny), "long-prefix"), -1);
}

Test(host_files, channel_file_is_whole)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], err[256];
	struct stat st;

	cr_assert_eq(lab_make_scratch_dir(dir, sizeof(dir), "tessera-channel-test"), 0);
	snprintf(path, sizeof(path), "%s/ch", dir);
	cr_assert_eq(lab_channel_create(path, LAB_CHANNEL_MB, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_size, (off_t)LAB_CHANNEL_MB << 20);
	cr_expect_eq(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/no/such/dir", dir);
	cr_expect_eq(lab_channel_create(path, 1, err, sizeof(err)), -1);
	cr_expect(strstr(err, "No such file or directory") != NULL, "%s", err);
	lab_remove_tree(dir);
}

Test(console_text, lines_in_order_and_take_empties)
{
	struct lab_console_text c = {0};
	char *t = lab_console_text_take(&c);

	cr_expect_str_eq(t, "", "no line yet: an empty text, not NULL");
	free(t);
	cr_expect_eq(lab_console_text_add("first", &c), 0);
	cr_expect_eq(lab_console_text_add("", &c), 0);
	char big[70000];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect_eq(lab_console_text_add(big, &c), 0); /* past the first allocation */
	t = lab_console_text_take(&c);
	cr_expect_eq(strlen(t), 6 + 1 + sizeof(big));
	cr_expect_eq(strncmp(t, "first\n\nbbb", 10), 0);
	cr_expect_eq(t[strlen(t) - 1], '\n');
	cr_expect(c.text == NULL && c.len == 0);
	free(t);
}
