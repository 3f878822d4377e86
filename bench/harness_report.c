/*
 * Google Benchmark's output, field for field (its src/json_reporter.cc, json_schema_version 1): the
 * context block, one object per repetition ("iteration") and per statistic ("aggregate"), and the console
 * table. compare.py reads name, run_type, aggregate_name, real_time, cpu_time, time_unit and iterations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "harness_report.h"

/* Local time as Google Benchmark writes it: 2024-05-01T12:34:56+02:00. */
static void report_date(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	char zone[8];

	localtime_r(&now, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm); /* +0200 */
	if (strlen(zone) == 5)
		snprintf(buf + n, len - n, "%.3s:%.2s", zone, zone + 3);
}

/* The first "cpu MHz" of /proc/cpuinfo, rounded; 0 when unknown. */
static long report_mhz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "cpu MHz", 7) &&
		    sscanf(strchr(line, ':') ? strchr(line, ':') + 1 : "", "%lf", &mhz))
			break;
	fclose(f);
	return (long)(mhz + 0.5);
}

/* Frequency scaling is on when cpu0 has a cpufreq governor other than "performance" (as Google Benchmark). */
static bool report_scaling(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");
	char gov[64] = "";

	if (!f)
		return false;
	bool read = fgets(gov, sizeof(gov), f) != NULL;
	fclose(f);
	return read && strncmp(gov, "performance", 11) != 0;
}

/* CPU caches from sysfs, as {type, level, size (bytes), num_sharing}. */
static json_t *report_caches(void)
{
	json_t *caches = json_array();

	for (int i = 0; i < 16; i++) {
		char path[128], type[32] = "", size[32] = "", shared[256] = "";
		int level = 0;
		const char *fields[] = {"type", "level", "size", "shared_cpu_list"};
		char *dst[] = {type, NULL, size, shared};
		size_t dst_len[] = {sizeof(type), 0, sizeof(size), sizeof(shared)};
		bool found = true;

		for (int k = 0; k < 4 && found; k++) {
			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/%s", i,
				 fields[k]);
			FILE *f = fopen(path, "r");
			char buf[256] = "";
			if (!f) {
				found = false;
				break;
			}
			found = fgets(buf, sizeof(buf), f) != NULL;
			fclose(f);
			buf[strcspn(buf, "\n")] = '\0';
			if (dst[k])
				snprintf(dst[k], dst_len[k], "%s", buf);
			else
				level = atoi(buf);
		}
		if (!found)
			break;
		long bytes = atol(size);
		if (strchr(size, 'K'))
			bytes *= 1024;
		else if (strchr(size, 'M'))
			bytes *= 1024 * 1024;
		/* "0-3,8-11": count the CPUs */
		long sharing = 0;
		for (char *p = shared; *p;) {
			long a = strtol(p, &p, 10), b = a;
			if (*p == '-')
				b = strtol(p + 1, &p, 10);
			sharing += b - a + 1;
			if (*p == ',')
				p++;
			else
				break;
		}
		json_array_append_new(caches,
				      json_pack("{s:s, s:i, s:I, s:I}", "type", type, "level", level, "size",
						(json_int_t)bytes, "num_sharing", (json_int_t)sharing));
	}
	return caches;
}

json_t *bench_report_context(const char *executable)
{
	char date[64], host[256] = "";
	double load[3] = {0, 0, 0};
	int nload = getloadavg(load, 3);
	json_t *ctx = json_object();

	report_date(date, sizeof(date));
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(ctx, "date", json_string(date));
	json_object_set_new(ctx, "host_name", json_string(host));
	json_object_set_new(ctx, "executable", json_string(executable ? executable : ""));
	json_object_set_new(ctx, "num_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(ctx, "mhz_per_cpu", json_integer(report_mhz()));
	json_object_set_new(ctx, "cpu_scaling_enabled", json_boolean(report_scaling()));
	json_object_set_new(ctx, "caches", report_caches());
	json_t *loads = json_array();
	for (int i = 0; i < nload; i++)
		json_array_append_new(loads, json_real(load[i]));
	json_object_set_new(ctx, "load_avg", loads);
	json_object_set_new(ctx, "library_version", json_string("tessera-bench-harness 1"));
#ifdef __OPTIMIZE__
	json_object_set_new(ctx, "library_build_type", json_string("release"));
#else
	json_object_set_new(ctx, "library_build_type", json_string("debug"));
#endif
	json_object_set_new(ctx, "json_schema_version", json_integer(1));
	return ctx;
}

/* The fields every run carries, in Google Benchmark's order. */
static json_t *report_run(const char *name, const char *run_name, int family, const char *run_type,
			  unsigned int repetitions)
{
	json_t *run = json_object();
	json_object_set_new(run, "name", json_string(name));
	json_object_set_new(run, "family_index", json_integer(family));
	json_object_set_new(run, "per_family_instance_index", json_integer(0));
	json_object_set_new(run, "run_name", json_string(run_name));
	json_object_set_new(run, "run_type", json_string(run_type));
	json_object_set_new(run, "repetitions", json_integer(repetitions));
	return run;
}

json_t *bench_report_iteration(const char *name, int family, unsigned int repetitions, unsigned int index,
			       uint64_t iterations, double real_ns, double cpu_ns)
{
	json_t *run = report_run(name, name, family, "iteration", repetitions);
	json_object_set_new(run, "repetition_index", json_integer(index));
	json_object_set_new(run, "threads", json_integer(1));
	json_object_set_new(run, "iterations", json_integer((json_int_t)iterations));
	json_object_set_new(run, "real_time", json_real(real_ns));
	json_object_set_new(run, "cpu_time", json_real(cpu_ns));
	json_object_set_new(run, "time_unit", json_string("ns"));
	return run;
}

json_t *bench_report_error(const char *name, int family, unsigned int repetitions, unsigned int index,
			   const char *message)
{
	json_t *run = report_run(name, name, family, "iteration", repetitions);
	json_object_set_new(run, "repetition_index", json_integer(index));
	json_object_set_new(run, "threads", json_integer(1));
	json_object_set_new(run, "error_occurred", json_true());
	json_object_set_new(run, "error_message", json_string(message));
	return run;
}

/*
 * An aggregate over the repetitions: "iterations" is the number of repetitions (as Google Benchmark says);
 * cv is a ratio, so its unit is "percentage" and its value is not a time.
 */
json_t *bench_report_aggregate(const char *name, int family, unsigned int repetitions, const char *aggregate,
			       double real, double cpu)
{
	char full[512];
	bool ratio = !strcmp(aggregate, "cv");

	snprintf(full, sizeof(full), "%s_%s", name, aggregate);
	json_t *run = report_run(full, name, family, "aggregate", repetitions);
	json_object_set_new(run, "threads", json_integer(1));
	json_object_set_new(run, "aggregate_name", json_string(aggregate));
	json_object_set_new(run, "aggregate_unit", json_string(ratio ? "percentage" : "time"));
	json_object_set_new(run, "iterations", json_integer(repetitions));
	json_object_set_new(run, "real_time", json_real(real));
	json_object_set_new(run, "cpu_time", json_real(cpu));
	json_object_set_new(run, "time_unit", json_string("ns"));
	return run;
}

/* The keys Google Benchmark itself writes in a run; any other number is a user counter. */
static bool is_standard_key(const char *key)
{
	static const char *const keys[] = {"name",
					   "family_index",
					   "per_family_instance_index",
					   "run_name",
					   "run_type",
					   "repetitions",
					   "repetition_index",
					   "threads",
					   "iterations",
					   "real_time",
					   "cpu_time",
					   "time_unit",
					   "aggregate_name",
					   "aggregate_unit",
					   "error_occurred",
					   "error_message"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/* User counters after the columns, as Google Benchmark prints them: name=value with a k/M/G suffix. */
static void print_counters(FILE *out, json_t *run)
{
	const char *key;
	json_t *v;

	json_object_foreach(run, key, v)
	{
		if (is_standard_key(key) || !json_is_number(v))
			continue;
		double x = json_number_value(v);
		const char *suffix = "";
		if (x >= 1e9) {
			x /= 1e9;
			suffix = "G";
		} else if (x >= 1e6) {
			x /= 1e6;
			suffix = "M";
		} else if (x >= 1e3) {
			x /= 1e3;
			suffix = "k";
		}
		fprintf(out, " %s=%.4g%s", key, x, suffix);
	}
}

void bench_print_console(json_t *doc, FILE *out)
{
	json_t *ctx = json_object_get(doc, "context"), *list = json_object_get(doc, "benchmarks"), *run;
	size_t i, width = 10;

	fprintf(out, "%s\nRun on (%lld X %lld MHz CPU s)\n", json_string_value(json_object_get(ctx, "date")),
		json_integer_value(json_object_get(ctx, "num_cpus")),
		json_integer_value(json_object_get(ctx, "mhz_per_cpu")));
	json_array_foreach(list, i, run)
	{
		size_t n = strlen(json_string_value(json_object_get(run, "name")));
		width = n > width ? n : width;
	}
	char rule[600];
	int len = snprintf(NULL, 0, "%-*s %15s %15s %12s", (int)width, "Benchmark", "Time", "CPU",
			   "Iterations");
	memset(rule, '-', (size_t)len < sizeof(rule) ? (size_t)len : sizeof(rule) - 1);
	rule[(size_t)len < sizeof(rule) ? (size_t)len : sizeof(rule) - 1] = '\0';
	fprintf(out, "%s\n%-*s %15s %15s %12s\n%s\n", rule, (int)width, "Benchmark", "Time", "CPU",
		"Iterations", rule);
	json_array_foreach(list, i, run)
	{
		const char *name = json_string_value(json_object_get(run, "name"));
		const char *unit = json_string_value(json_object_get(run, "aggregate_unit"));
		double real = json_real_value(json_object_get(run, "real_time"));
		double cpu = json_real_value(json_object_get(run, "cpu_time"));
		long long iters = json_integer_value(json_object_get(run, "iterations"));
		if (json_is_true(json_object_get(run, "error_occurred"))) {
			fprintf(out, "%-*s ERROR OCCURRED: '%s'\n", (int)width, name,
				json_string_value(json_object_get(run, "error_message")));
			continue;
		}
		if (unit && !strcmp(unit, "percentage"))
			fprintf(out, "%-*s %14.2f%% %14.2f%% %12lld", (int)width, name, real * 100, cpu * 100,
				iters);
		else
			fprintf(out, "%-*s %12.1f ns %12.1f ns %12lld", (int)width, name, real, cpu, iters);
		print_counters(out, run);
		fputc('\n', out);
	}
}
