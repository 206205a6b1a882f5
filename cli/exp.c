/* cli/exp.c — running many runs (exp.h): jobs, reading a finished run's
 * metrics, the local executor and the MPI one.  Outputs and plots:
 * cli/exp_out.c. */
#include "exp.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#ifdef ECSIM_MPI
#include <mpi.h>
#endif

#include "cmd.h"
#include "sim/csvin.h"
#include "sim/mem.h"
#include "sim/stats.h"

/* ---- jobs ---------------------------------------------------------------- */

void exp_job_init(struct exp_job *j, const char *scenario, const char *dir,
		  unsigned long long seed, char *const *extra, int n_extra)
{
	char sb[32];
	int k = 0;

	memset(j, 0, sizeof *j);
	j->argv = xcalloc((size_t)n_extra + 9, sizeof *j->argv);
	snprintf(sb, sizeof sb, "%llu", seed);
	j->argv[k++] = xstrdup("run");
	j->argv[k++] = xstrdup(scenario);
	j->argv[k++] = xstrdup("--quiet");
	j->argv[k++] = xstrdup("--seed");
	j->argv[k++] = xstrdup(sb);
	j->argv[k++] = xstrdup("--out");
	j->argv[k++] = xstrdup(dir);
	for (int i = 0; i < n_extra; i++)
		j->argv[k++] = xstrdup(extra[i]);
	j->argc = k;
	j->dir = xstrdup(dir);
	j->rc = -1;
}

void exp_job_free(struct exp_job *j)
{
	for (int i = 0; j->argv && i < j->argc; i++)
		free(j->argv[i]);
	free(j->argv);
	free(j->dir);
	free(j->metrics);
	memset(j, 0, sizeof *j);
}

int exp_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

void exp_fmt(char *buf, size_t n, double v)
{
	if (isnan(v) || isinf(v))
		snprintf(buf, n, "%s", "");
	else
		snprintf(buf, n, "%.6g", v == 0.0 ? 0.0 : v);
}

/* ---- reading a run back ---------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
		va_end(ap);
		if (b->s && (size_t)k < room)
			break;
		b->cap = b->cap * 2 + (size_t)k + 256;
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t)k;
}

static int numeric(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

/* The numeric columns of one results file: summary.csv (one row, `key`
 * NULL) or a file with a row per `key` (service, target group), whose
 * metrics are named "<prefix><column>[<key value>]". */
static int collect_csv(struct sbuf *b, const char *dir, const char *file, const char *key,
		       const char *prefix, struct err *e)
{
	char path[1200];
	struct csvin *in;
	int rc, kc = -1;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (key && access(path, F_OK) != 0)
		return 0;       /* written only when the scenario has such rows */
	if (!(in = csvin_open(path, e)))
		return -1;
	if (key && (kc = csvin_col(in, key)) < 0) {
		csvin_close(in);
		return err_at(e, path, 1, 0, NULL, "no column '%s'", key);
	}
	while ((rc = csvin_next(in, e)) == 1) {
		for (int c = 0; c < csvin_ncols(in); c++) {
			const char *v = csvin_field(in, c), *name = csvin_colname(in, c);

			if (c == kc || !numeric(v) || (!key && strcmp(name, "seed") == 0))
				continue;
			if (key)
				sb_add(b, "%s%s[%s]\t%s\n", prefix, name, csvin_field(in, kc), v);
			else
				sb_add(b, "%s\t%s\n", name, v);
		}
		if (!key)
			break;
	}
	csvin_close(in);
	return rc < 0 ? -1 : 0;
}

static int collect_pending(struct sbuf *b, const char *dir, struct err *e)
{
	char path[1200];
	struct csvin *in;
	int rc, cs, cp;
	double *x = NULL;
	size_t n = 0, cap = 0;

	snprintf(path, sizeof path, "%s/tasks.csv", dir);
	if (access(path, F_OK) != 0)
		return 0;       /* --no-task-log */
	if (!(in = csvin_open(path, e)))
		return -1;
	cs = csvin_col(in, "submit_s");
	cp = csvin_col(in, "placed_s");
	while (cs >= 0 && cp >= 0 && (rc = csvin_next(in, e)) == 1) {
		const char *p = csvin_field(in, cp);

		if (!*p)
			continue;
		XGROW(x, cap, n + 1);
		x[n++] = strtod(p, NULL) - strtod(csvin_field(in, cs), NULL);
	}
	csvin_close(in);
	if (cs >= 0 && cp >= 0 && rc < 0) {
		free(x);
		return -1;
	}
	if (n) {
		sb_add(b, "@pending_q\t");
		for (int q = 0; q <= 100; q++)
			sb_add(b, "%s%.3f", q ? " " : "", stats_quantile(x, n, q / 100.0));
		sb_add(b, "\n");
	}
	free(x);
	return 0;
}

char *exp_collect(const char *dir, struct err *e)
{
	struct sbuf b = { 0 };

	sb_add(&b, "%s", "");
	if (collect_csv(&b, dir, "summary.csv", NULL, "", e) ||
	    collect_csv(&b, dir, "service_summary.csv", "service", "", e) ||
	    collect_csv(&b, dir, "lb_summary.csv", "target_group", "lb_", e) ||
	    collect_pending(&b, dir, e)) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int exp_run_complete(const char *dir, char *const *argv, int argc)
{
	char path[1200];
	FILE *f;
	char *text;
	long len;
	cJSON *root, *cmd;
	int ok = 0;

	snprintf(path, sizeof path, "%s/run.json", dir);
	if (!(f = fopen(path, "rb")))
		return 0;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = xmalloc((size_t)(len > 0 ? len : 0) + 1);
	text[fread(text, 1, (size_t)(len > 0 ? len : 0), f)] = '\0';
	fclose(f);
	root = cJSON_Parse(text);
	free(text);
	cmd = root ? cJSON_GetObjectItemCaseSensitive(root, "command") : NULL;
	if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) == argc + 1) {
		ok = 1;
		for (int i = 0; i <= argc && ok; i++) {
			const cJSON *a = cJSON_GetArrayItem(cmd, i);
			const char *want = i ? argv[i - 1] : "ecsim";

			ok = cJSON_IsString(a) && strcmp(a->valuestring, want) == 0;
		}
	}
	cJSON_Delete(root);
	return ok;
}

/* ---- running ---------------------------------------------------------------- */

static void progress(size_t done, size_t n, int quiet, const char *label)
{
	if (quiet || !isatty(2))
		return;
	fprintf(stderr, "\r%s: %zu/%zu runs%s", label, done, n, done == n ? "\n" : "");
}

/* One job in this process: cmd_run, then the metrics. */
static void run_here(struct exp_job *j)
{
	struct err e;

	j->rc = cmd_run(j->argc, j->argv);
	fflush(NULL);
	if (j->rc == 0) {
		err_clear(&e);
		if (!(j->metrics = exp_collect(j->dir, &e))) {
			err_print(&e, stderr);
			j->rc = EXIT_RUNTIME;
		}
	}
}

static void finish_local(struct exp_job *j, int status)
{
	struct err e;

	j->rc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_RUNTIME;
	if (j->rc == 0) {
		err_clear(&e);
		if (!(j->metrics = exp_collect(j->dir, &e))) {
			err_print(&e, stderr);
			j->rc = EXIT_RUNTIME;
		}
	}
}

static int try_reuse(struct exp_job *j)
{
	struct err e;

	if (!j->reuse || !exp_run_complete(j->dir, j->argv, j->argc))
		return 0;
	err_clear(&e);
	if (!(j->metrics = exp_collect(j->dir, &e)))
		return 0;
	j->rc = 0;
	j->reused = 1;
	return 1;
}

static int first_failure(struct exp_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (jobs[i].rc != 0) {
			fprintf(stderr, "ecsim: error: run failed (exit %d): ecsim", jobs[i].rc);
			for (int k = 0; k < jobs[i].argc; k++)
				fprintf(stderr, " %s", jobs[i].argv[k]);
			fputc('\n', stderr);
			return jobs[i].rc == EXIT_INPUT ? EXIT_INPUT : EXIT_RUNTIME;
		}
	return 0;
}

static int execute_local(struct exp_job *jobs, size_t n, int jobs_max, int quiet,
			 const char *label)
{
	pid_t *pids = xcalloc(n ? n : 1, sizeof *pids);
	size_t next = 0, done = 0, running = 0;

	for (size_t i = 0; i < n; i++)
		if (jobs[i].rc != -1 || try_reuse(&jobs[i]))
			done++;
	progress(done, n, quiet, label);
	while (done < n) {
		while (running < (size_t)jobs_max && next < n) {
			pid_t p;

			if (jobs[next].rc != -1) {
				next++;
				continue;
			}
			fflush(NULL);
			p = fork();
			if (p == 0) {
				int rc = cmd_run(jobs[next].argc, jobs[next].argv);

				fflush(NULL);
				_exit(rc);
			}
			if (p < 0) {
				/* no process left: run it here */
				run_here(&jobs[next]);
				done++;
				next++;
				continue;
			}
			pids[next++] = p;
			running++;
		}
		if (!running)
			break;
		{
			int status;
			pid_t p = wait(&status);

			if (p < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (size_t i = 0; i < n; i++)
				if (pids[i] == p) {
					pids[i] = 0;
					finish_local(&jobs[i], status);
					running--;
					done++;
					break;
				}
		}
		progress(done, n, quiet, label);
	}
	free(pids);
	return first_failure(jobs, n);
}

#ifdef ECSIM_MPI
enum { TAG_WORK = 1, TAG_DONE = 2, TAG_STOP = 3 };
static int mpi_on, mpi_rank, mpi_size;

/* idx '\0' arg0 '\0' arg1 '\0' ... */
static char *pack_job(const struct exp_job *j, size_t idx, int *len)
{
	struct sbuf b = { 0 };

	sb_add(&b, "%zu", idx);
	b.len++;
	for (int i = 0; i < j->argc; i++) {
		sb_add(&b, "%s", j->argv[i]);
		b.len++;
	}
	sb_add(&b, "%s", "");
	*len = (int)b.len;
	return b.s;
}

static int worker_loop(void)
{
	for (;;) {
		MPI_Status st;
		int len;
		char *buf;

		MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
		MPI_Get_count(&st, MPI_CHAR, &len);
		buf = xmalloc((size_t)len + 1);
		MPI_Recv(buf, len, MPI_CHAR, 0, st.MPI_TAG, MPI_COMM_WORLD, &st);
		if (st.MPI_TAG == TAG_STOP) {
			free(buf);
			return 0;
		}
		{
			struct exp_job j = { 0 };
			char *p = buf, *end = buf + len, *out;
			size_t idx = strtoull(p, NULL, 10);
			struct sbuf r = { 0 };

			p += strlen(p) + 1;
			while (p < end) {
				j.argv = xrealloc(j.argv, (size_t)(j.argc + 2) * sizeof *j.argv);
				j.argv[j.argc++] = xstrdup(p);
				j.argv[j.argc] = NULL;
				p += strlen(p) + 1;
			}
			for (int i = 0; i + 1 < j.argc; i++)
				if (strcmp(j.argv[i], "--out") == 0)
					j.dir = xstrdup(j.argv[i + 1]);
			if (!j.dir)
				j.dir = xstrdup(".");
			run_here(&j);
			sb_add(&r, "%zu", idx);
			r.len++;
			sb_add(&r, "%d", j.rc);
			r.len++;
			sb_add(&r, "%s", j.metrics ? j.metrics : "");
			out = r.s;
			MPI_Send(out, (int)r.len + 1, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
			free(out);
			exp_job_free(&j);
		}
		free(buf);
	}
}

static int execute_mpi(struct exp_job *jobs, size_t n, int quiet, const char *label)
{
	size_t next = 0, done = 0;
	int busy = 0;

	for (size_t i = 0; i < n; i++)
		if (jobs[i].rc != -1 || try_reuse(&jobs[i]))
			done++;
	progress(done, n, quiet, label);
	for (int w = 1; w < mpi_size; w++) {
		while (next < n && jobs[next].rc != -1)
			next++;
		if (next >= n)
			break;
		{
			int len;
			char *msg = pack_job(&jobs[next], next, &len);

			MPI_Send(msg, len, MPI_CHAR, w, TAG_WORK, MPI_COMM_WORLD);
			free(msg);
			next++;
			busy++;
		}
	}
	while (busy) {
		MPI_Status st;
		int len;
		char *buf, *p;
		size_t idx;

		MPI_Probe(MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, &st);
		MPI_Get_count(&st, MPI_CHAR, &len);
		buf = xmalloc((size_t)len + 1);
		MPI_Recv(buf, len, MPI_CHAR, st.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD, &st);
		buf[len] = '\0';
		busy--;
		idx = strtoull(buf, NULL, 10);
		p = buf + strlen(buf) + 1;
		if (idx < n) {
			jobs[idx].rc = atoi(p);
			p += strlen(p) + 1;
			if (jobs[idx].rc == 0)
				jobs[idx].metrics = xstrdup(p);
			done++;
		}
		free(buf);
		progress(done, n, quiet, label);
		while (next < n && jobs[next].rc != -1)
			next++;
		if (next < n) {
			char *msg = pack_job(&jobs[next], next, &len);

			MPI_Send(msg, len, MPI_CHAR, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
			free(msg);
			next++;
			busy++;
		}
	}
	return first_failure(jobs, n);
}
#endif

/* Launched by mpirun (OpenMPI) or srun (Slurm's PMI)? */
static int launched_by_mpi(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

int exp_begin(int *rc)
{
	*rc = 0;
#ifdef ECSIM_MPI
	if (launched_by_mpi()) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
		MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
		mpi_on = mpi_size > 1;
		if (mpi_rank != 0) {
			*rc = worker_loop();
			MPI_Finalize();
			return 1;
		}
		if (!mpi_on) {
			MPI_Finalize();
		}
	}
#else
	if (launched_by_mpi() && (getenv("OMPI_COMM_WORLD_SIZE") ?
				  atoi(getenv("OMPI_COMM_WORLD_SIZE")) : atoi(getenv("PMI_SIZE") ?
				  getenv("PMI_SIZE") : "2")) > 1) {
		fprintf(stderr, "ecsim: error: launched by mpirun/srun, but this ecsim was built "
			"without MPI; rebuild with 'make MPI=1' (needs OpenMPI: libopenmpi-dev)\n");
		*rc = EXIT_INPUT;
		return 1;
	}
#endif
	return 0;
}

void exp_end(void)
{
#ifdef ECSIM_MPI
	if (mpi_on) {
		for (int w = 1; w < mpi_size; w++)
			MPI_Send("", 1, MPI_CHAR, w, TAG_STOP, MPI_COMM_WORLD);
		MPI_Finalize();
		mpi_on = 0;
	}
#endif
}

int exp_under_mpi(void)
{
#ifdef ECSIM_MPI
	return mpi_on;
#else
	return 0;
#endif
}

int exp_mpi_built(void)
{
#ifdef ECSIM_MPI
	return 1;
#else
	return 0;
#endif
}

int exp_workers(int jobs)
{
#ifdef ECSIM_MPI
	if (mpi_on)
		return mpi_size - 1;
#endif
	return jobs;
}

int exp_execute(struct exp_job *jobs, size_t n, int jobs_max, int quiet, const char *label)
{
#ifdef ECSIM_MPI
	if (mpi_on)
		return execute_mpi(jobs, n, quiet, label);
#endif
	return execute_local(jobs, n, jobs_max > 0 ? jobs_max : 1, quiet, label);
}

/* ---- plots ------------------------------------------------------------------ */
