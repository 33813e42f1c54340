// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 6 on real arenas. The `live` fixture is driven deterministically by
 * its pinned live_bump program; `churn` is paused and stepped by hand. We
 * check the old and new values the watches report, that a condition fires
 * exactly once when crossed, and that paths re-evaluated on every sample
 * notice freed pages and pointers that now lead elsewhere.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>

#include "../../bpf_fixtures/fx_layout.h"
#include "btfx.h"
#include "error.h"
#include "expr.h"
#include "fixture.h"
#include "live.h"
#include "watch.h"

static struct fixture F;

static int teardown(void **state)
{
	fixture_unload(&F);
	return 0;
}

#define MAX_EV 512
struct evlog {
	int n;
	struct {
		enum watch_event_kind kind;
		int id;
		char old[64], new[64];
		enum watch_state state;
	} ev[MAX_EV];
};

static void record(const struct watch_event *ev, void *ctx)
{
	struct evlog *l = ctx;

	if (l->n == MAX_EV)
		return;
	l->ev[l->n].kind = ev->kind;
	l->ev[l->n].id = ev->w->id;
	l->ev[l->n].state = ev->w->state;
	snprintf(l->ev[l->n].old, 64, "%s", ev->old_value ? ev->old_value : "");
	snprintf(l->ev[l->n].new, 64, "%s", ev->new_value ? ev->new_value : "");
	l->n++;
}

static int count(const struct evlog *l, enum watch_event_kind k, int id)
{
	int n = 0;

	for (int i = 0; i < l->n; i++)
		n += l->ev[i].kind == k && l->ev[i].id == id;
	return n;
}

/* the first event of KIND from watch ID */
static int find(const struct evlog *l, enum watch_event_kind k, int id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].kind == k && l->ev[i].id == id)
			return i;
	fail_msg("no event %d from watch %d", k, id);
	return -1;
}

static void bump(const struct fixture *f, unsigned long long add)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	unsigned long long arg = add;
	int fd = bpf_obj_get(json_str(json_get(f->expect, "bump_prog")));

	assert_true(fd >= 0);
	o.ctx_in = &arg;
	o.ctx_size_in = sizeof(arg);
	assert_int_equal(bpf_prog_test_run_opts(fd, &o), 0);
	close(fd);
}

static void open_all(struct source **src, struct btfx **bx, struct watchset **ws)
{
	struct selector sel = { .kind = SEL_ID, .id = F.map_id };

	assert_int_equal(live__open(&sel, NULL, src), 0);
	assert_int_equal(btfx__open(*src, NULL, bx), 0);
	assert_true(btfx__nr_btfs(*bx) > 0);
	assert_int_equal(watchset__new(*src, *bx, ws), 0);
}

static void live_changes_and_condition(void **state)
{
	struct source *src;
	struct btfx *bx;
	struct watchset *ws;
	struct watch *wb, *wc, *wg;
	struct evlog *l = calloc(1, sizeof(*l));
	unsigned long long b0;
	char want[32];

	assert_int_equal(fixture_load("live", &F), 0);
	b0 = json_u64(json_get(F.expect, "bumps"), 0);
	open_all(&src, &bx, &ws);
	assert_int_equal(watchset__add(ws, "hdr->bumps", &wb), 0);
	assert_int_equal(watchset__add(ws, "hdr->bumps if hdr->bumps > 100", &wc), 0);
	assert_int_equal(watchset__add(ws, "hdr->generation changes", &wg), 0);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	snprintf(want, sizeof(want), "%llu", b0);
	assert_string_equal(wb->value, want);
	assert_int_equal(l->n, 0); /* the first sample is the baseline */

	/* nothing happens: nothing is reported */
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(l->n, 0);

	bump(&F, 7);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(count(l, WATCH_EV_CHANGE, wb->id), 1);
	snprintf(want, sizeof(want), "%llu", b0);
	assert_string_equal(l->ev[find(l, WATCH_EV_CHANGE, wb->id)].old, want);
	snprintf(want, sizeof(want), "%llu", b0 + 7);
	assert_string_equal(l->ev[find(l, WATCH_EV_CHANGE, wb->id)].new, want);
	assert_int_equal(wb->nr_changes, 1);
	assert_true(watch__changed_last(ws, wb));
	assert_int_equal(count(l, WATCH_EV_HIT, wg->id), 1);
	assert_int_equal(count(l, WATCH_EV_HIT, wc->id), 0);

	/* cross 100 in two steps: exactly one hit, at the crossing */
	l->n = 0;
	bump(&F, 50);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	bump(&F, 50);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	bump(&F, 50);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(count(l, WATCH_EV_HIT, wc->id), 1);
	assert_int_equal(wc->nr_hits, 1);
	assert_int_equal(wb->nr_changes, 4);
	assert_int_equal(wg->nr_hits, 4);
	assert_int_equal(watch__samples(ws, wb), 7);
	assert_false(watch__changed_last(ws, wb));
	{
		int64_t h[6];
		int n = watch__history(ws, wb, h, 6);

		assert_int_equal(n, 6);
		assert_int_equal(h[0], b0);
		assert_int_equal(h[1], b0 + 7);
		assert_int_equal(h[2], b0 + 57);
		assert_int_equal(h[5], b0 + 157);
	}
	free(l);
	watchset__free(ws);
	btfx__free(bx);
	source__close(src);
}

/* The CLI streams JSON lines with timestamps and exits after --count. */
static void live_cli_stream(void **state)
{
	char cmd[512], *out = NULL, err[128];
	unsigned long long b0;
	int st, changes = 0, initial = 0;
	pid_t pid;

	assert_int_equal(fixture_load("live", &F), 0);
	b0 = json_u64(json_get(F.expect, "bumps"), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(700 * 1000);
		bump(&F, 5);
		_exit(0);
	}
	snprintf(cmd, sizeof(cmd), "%s watch id %u 'hdr->bumps' --interval 100 --count 20 -j",
		 INSPECT_BIN, F.map_id);
	assert_int_equal(fixture_run(cmd, &out, &st), 0);
	waitpid(pid, NULL, 0);
	assert_int_equal(st, 0);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		struct json *j = json_parse(line, err, sizeof(err));

		if (!j)
			fail_msg("not a JSON line: %s: %s", err, line);
		assert_non_null(json_str(json_get(j, "time")));
		assert_true(json_u64(json_get(j, "ts_ns"), 0) > 0);
		if (!strcmp(json_str(json_get(j, "event")), "initial"))
			initial++;
		if (!strcmp(json_str(json_get(j, "event")), "change")) {
			changes++;
			assert_int_equal(strtoull(json_str(json_get(j, "old")), NULL, 10), b0);
			assert_int_equal(strtoull(json_str(json_get(j, "new")), NULL, 10), b0 + 5);
		}
		json_free(j);
	}
	assert_int_equal(initial, 1);
	assert_int_equal(changes, 1);
	free(out);
}

/* churn, stepped by hand: steps counts exactly, slots come and go */
static void churn_paths_follow_the_data(void **state)
{
	struct source *src;
	struct btfx *bx;
	struct watchset *ws;
	struct watch *steps, *slot[16], *fixed = NULL;
	struct fixture_counts c;
	struct evlog *l = calloc(1, sizeof(*l));
	uint64_t fixed_addr = 0;
	char spec[64];
	int moved = 0, gone = 0;

	assert_int_equal(fixture_load("churn", &F), 0);
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	open_all(&src, &bx, &ws);
	assert_int_equal(watchset__add(ws, "state->steps", &steps), 0);
	for (int i = 0; i < 16; i++) {
		snprintf(spec, sizeof(spec), "state->slots[%d]->serial", i);
		assert_int_equal(watchset__add(ws, spec, &slot[i]), 0);
	}
	assert_int_equal(watchset__sample(ws, record, l), 0);
	/* a fixed address inside the first live object, to see its page go */
	for (int i = 0; i < 16 && !fixed; i++) {
		if (slot[i]->state == WATCH_OK) {
			fixed_addr = slot[i]->addr;
			snprintf(spec, sizeof(spec), "*(u64 *)0x%llx",
				 (unsigned long long)fixed_addr);
			assert_int_equal(watchset__add(ws, spec, &fixed), 0);
		}
	}
	assert_non_null(fixed);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	for (int round = 0; round < 60; round++) {
		struct value v;
		unsigned long long s0 = strtoull(steps->value, NULL, 10);
		char want[32];

		l->n = 0;
		assert_int_equal(fixture_cmd(&F, "step", "5", NULL), 0);
		assert_int_equal(watchset__sample(ws, record, l), 0);
		snprintf(want, sizeof(want), "%llu", s0 + 5);
		assert_string_equal(steps->value, want);
		assert_int_equal(count(l, WATCH_EV_CHANGE, steps->id), 1);
		/* each slot watch agrees with a fresh evaluation */
		for (int i = 0; i < 16; i++) {
			int err;

			snprintf(spec, sizeof(spec), "state->slots[%d]->serial", i);
			err = expr__eval_str(spec, bx, src, &v, NULL);
			assert_int_equal(err == 0, slot[i]->state == WATCH_OK);
			if (!err)
				assert_true(v.addr == slot[i]->addr);
			moved += count(l, WATCH_EV_MOVED, slot[i]->id);
			gone += count(l, WATCH_EV_STATE, slot[i]->id);
		}
		if (fixed->state == WATCH_UNALLOCATED) {
			struct pagemap pm;

			assert_int_equal(source__pagemap(src, &pm), 0);
			assert_int_not_equal(pm.state[(fixed_addr - F.user_vm_start) >> 12],
					     PAGE_ALLOCATED);
			pagemap__free(&pm);
		}
	}
	assert_int_equal(fixture_count(&F, &c), 0);
	assert_int_equal(strtoull(steps->value, NULL, 10), c.fixture_steps);
	print_message("churn: %d moved, %d state changes, fixed address now %s\n", moved, gone,
		      fixed->state == WATCH_OK ? "allocated" : "unallocated");
	assert_true(moved + gone > 0);
	free(l);
	watchset__free(ws);
	btfx__free(bx);
	source__close(src);
}

/* A watch on a whole struct reports which members changed, each with its
 * old and new value, by a path that is itself an expression. */
static void churn_struct_members(void **state)
{
	struct source *src;
	struct btfx *bx;
	struct watchset *ws;
	struct watch *w;
	struct evlog *l = calloc(1, sizeof(*l));
	unsigned long long s0;
	bool saw_steps = false;

	assert_int_equal(fixture_load("churn", &F), 0);
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	open_all(&src, &bx, &ws);
	assert_int_equal(watchset__add(ws, "*state", &w), 0);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(w->state, WATCH_OK);
	{
		int64_t n;
		struct expr *x;

		assert_int_equal(expr__parse("state->steps", &x, NULL), 0);
		assert_int_equal(expr__eval_int(x, bx, src, &n), 0);
		expr__free(x);
		s0 = (unsigned long long)n;
	}
	/* nothing changed: no event, no members */
	l->n = 0;
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(count(l, WATCH_EV_CHANGE, w->id), 0);

	assert_int_equal(fixture_cmd(&F, "step", "3", NULL), 0);
	l->n = 0;
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(count(l, WATCH_EV_CHANGE, w->id), 1);
	assert_true(w->nr_changed_members >= 1);
	for (int i = 0; i < w->nr_changed_members; i++) {
		const struct watch_member *m = &w->changed_members[i];
		struct expr *x;
		int64_t now;
		int col;

		assert_non_null(m->old);
		assert_string_not_equal(m->old, m->new);
		/* the path is an expression that evaluates to the new value */
		if (expr__parse(m->path, &x, &col))
			fail_msg("member path '%s' does not parse: %s", m->path, ai_errmsg());
		assert_int_equal(expr__eval_int(x, bx, src, &now), 0);
		expr__free(x);
		if (!strcmp(m->new, "NULL"))
			assert_true(now == 0);
		else
			assert_true(now == (int64_t)strtoull(m->new, NULL, 0));
		if (!strcmp(m->path, "state->steps")) {
			saw_steps = true;
			assert_int_equal(strtoull(m->old, NULL, 10), s0);
			assert_int_equal(strtoull(m->new, NULL, 10), s0 + 3);
		}
	}
	assert_true(saw_steps);
	free(l);
	watchset__free(ws);
	btfx__free(bx);
	source__close(src);

	/* the CLI: the change event carries the members as objects */
	{
		char cmd[512], *out = NULL, err[128];
		int st, changes = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			usleep(500 * 1000);
			_exit(fixture_cmd(&F, "step", "2", NULL) ? 1 : 0);
		}
		snprintf(cmd, sizeof(cmd), "%s watch id %u '*state' --interval 100 --count 12 -j",
			 INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run(cmd, &out, &st), 0);
		waitpid(pid, &st, 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
			struct json *j = json_parse(line, err, sizeof(err));
			const struct json *m;
			bool steps = false;

			if (!j)
				fail_msg("not a JSON line: %s: %s", err, line);
			if (strcmp(json_str(json_get(j, "event")), "change")) {
				json_free(j);
				continue;
			}
			changes++;
			m = json_get(j, "members");
			assert_non_null(m);
			for (size_t i = 0; i < json_len(m); i++) {
				const struct json *e = json_at(m, i);

				if (strcmp(json_str(json_get(e, "path")), "state->steps"))
					continue;
				steps = true;
				assert_int_equal(strtoull(json_str(json_get(e, "old")), NULL, 10),
						 s0 + 3);
				assert_int_equal(strtoull(json_str(json_get(e, "new")), NULL, 10),
						 s0 + 5);
			}
			assert_true(steps);
			json_free(j);
		}
		assert_int_equal(changes, 1);
		free(out);
	}
}

/* every slot pointer of the churn header, read afresh */
static void read_slots(struct btfx *bx, struct source *src, uint64_t *out)
{
	for (int i = 0; i < CHURN_SLOTS; i++) {
		char spec[48];
		struct expr *x;
		int64_t v;

		snprintf(spec, sizeof(spec), "(u64)state->slots[%d]", i);
		assert_int_equal(expr__parse(spec, &x, NULL), 0);
		assert_int_equal(expr__eval_int(x, bx, src, &v), 0);
		expr__free(x);
		out[i] = (uint64_t)v;
	}
}
/* Issue 11 item 2: a watch on the whole 128-slot array sees changes in every
 * slot, not only in the first 64; a value too big to compare whole says it
 * is partial. Each step's reported members are checked against the slots
 * read afresh before and after the step. */
static void churn_whole_array(void **state)
{
	struct source *src;
	struct btfx *bx;
	struct watchset *ws;
	struct watch *w, *big;
	struct evlog *l = calloc(1, sizeof(*l));
	uint64_t before[CHURN_SLOTS], after[CHURN_SLOTS];
	char partial_json[96], partial_text[96];
	int high_changes = 0, seen_high = 0;

	assert_int_equal(fixture_load("churn", &F), 0);
	assert_int_equal(fixture_cmd(&F, "pause", NULL, NULL), 0);
	open_all(&src, &bx, &ws);
	assert_int_equal(watchset__add(ws, "state->slots", &w), 0);
	assert_int_equal(watchset__sample(ws, record, l), 0);
	assert_int_equal(w->state, WATCH_OK);
	assert_false(w->partial);
	assert_int_equal(w->nr_leaves, CHURN_SLOTS);
	read_slots(bx, src, before);
	for (int round = 0; round < 400 && high_changes < 3; round++) {
		int changed = 0, high = 0;

		assert_int_equal(fixture_cmd(&F, "step", "1", NULL), 0);
		l->n = 0;
		assert_int_equal(watchset__sample(ws, record, l), 0);
		read_slots(bx, src, after);
		for (int i = 0; i < CHURN_SLOTS; i++) {
			char path[32];
			bool found = false;

			if (before[i] == after[i])
				continue;
			changed++;
			high += i >= 64;
			snprintf(path, sizeof(path), "state->slots[%d]", i);
			for (int k = 0; k < w->nr_changed_members; k++) {
				const struct watch_member *m = &w->changed_members[k];

				if (strcmp(m->path, path))
					continue;
				found = true;
				assert_int_equal(m->new[0] == 'N' ? 0 : strtoull(m->new, NULL, 0),
						 after[i]);
				assert_int_equal(m->old[0] == 'N' ? 0 : strtoull(m->old, NULL, 0),
						 before[i]);
			}
			if (!found)
				fail_msg("slot %d changed 0x%llx -> 0x%llx, not reported", i,
					 (unsigned long long)before[i],
					 (unsigned long long)after[i]);
		}
		assert_int_equal(count(l, WATCH_EV_CHANGE, w->id), changed ? 1 : 0);
		if (changed)
			assert_int_equal(w->nr_changed_members, changed);
		seen_high += high;
		high_changes += high > 0;
		memcpy(before, after, sizeof(before));
	}
	print_message("churn: %d changes in slots 64..127 reported\n", seen_high);
	assert_true(high_changes >= 3);

	/* more leaves than a watch compares: it says so, and by how many */
	assert_int_equal(watchset__add(ws, "((u16 *)state)[0:70000]", &big), 0);
	assert_int_equal(watchset__sample(ws, NULL, NULL), 0);
	assert_int_equal(big->state, WATCH_OK);
	assert_true(big->partial);
	/* the cap counts the array itself as a node too */
	assert_true(big->nr_leaves > WATCH_MAX_LEAVES - 16 && big->nr_leaves <= WATCH_MAX_LEAVES);
	{
		char note[96], want[96];

		watch__partial_note(big, note, sizeof(note));
		snprintf(want, sizeof(want), "partial: only the first %d members", big->nr_leaves);
		assert_non_null(strstr(note, want));
		snprintf(want, sizeof(want), "\"partial\":true,\"members_watched\":%d,",
			 big->nr_leaves);
		snprintf(note, sizeof(note), "(partial: only the first %d members are watched)\n",
			 big->nr_leaves);
		snprintf(partial_json, sizeof(partial_json), "%s", want);
		snprintf(partial_text, sizeof(partial_text), "%s", note);
	}
	free(l);
	watchset__free(ws);
	btfx__free(bx);
	source__close(src);

	/* the CLI says so too, in text and in JSON */
	{
		char cmd[512], *out = NULL;
		int st;

		snprintf(cmd, sizeof(cmd), "%s watch id %u '((u16 *)state)[0:70000]' --count 1 -j",
			 INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run(cmd, &out, &st), 0);
		assert_int_equal(st, 0);
		assert_non_null(strstr(out, partial_json));
		free(out);
		snprintf(cmd, sizeof(cmd),
			 "%s watch id %u '((u16 *)state)[0:70000]' 'state->slots' --count 1",
			 INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run(cmd, &out, &st), 0);
		assert_int_equal(st, 0);
		assert_non_null(strstr(out, partial_text));
		assert_int_equal(strstr(strstr(out, "#2 state->slots"), "partial"), NULL);
		free(out);
	}
}

static void bad_watches(void **state)
{
	struct source *src;
	struct btfx *bx;
	struct watchset *ws;

	assert_int_equal(fixture_load("list", &F), 0);
	open_all(&src, &bx, &ws);
	assert_int_equal(watchset__add(ws, "head->", NULL), -EINVAL);
	assert_int_equal(watchset__add(ws, "head->id if", NULL), -EINVAL);
	assert_int_equal(watchset__add(ws, "head->id if (", NULL), -EINVAL);
	assert_int_equal(watchset__count(ws), 0);
	assert_int_equal(watchset__add(ws, "head->id if", NULL), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "expected a condition after 'if'"));
	assert_int_equal(watchset__add(ws, "if head->id", NULL), -EINVAL);
	assert_non_null(strstr(ai_errmsg(), "expected an expression before 'if'"));
	assert_int_equal(watchset__count(ws), 0);
	/* errors no data can cure, and errors the data may cure */
	assert_int_equal(watchset__add(ws, "head->nope", NULL), 0);
	assert_int_equal(watchset__add(ws, "head->id if nosuch > 1", NULL), 0);
	assert_int_equal(
		watchset__add(ws, "head->next->next->next->next->next->next->next->next->id", NULL),
		0);
	assert_int_equal(watchset__sample(ws, NULL, NULL), 0);
	assert_int_equal(watchset__get(ws, 0)->state, WATCH_ERROR);
	assert_non_null(strstr(watchset__get(ws, 0)->err, "nope"));
	assert_true(watch__error_is_permanent(watchset__get(ws, 0)));
	assert_true(watch__error_is_permanent(watchset__get(ws, 1)));
	assert_int_equal(watchset__get(ws, 2)->state, WATCH_ERROR);
	assert_non_null(strstr(watchset__get(ws, 2)->err, "NULL"));
	assert_false(watch__error_is_permanent(watchset__get(ws, 2)));
	watchset__free(ws);
	btfx__free(bx);
	source__close(src);

	/* the CLI refuses the first kind with exit 1 and keeps watching the
	 * second */
	{
		char cmd[512], *out = NULL, *err = NULL;
		int st;

		snprintf(cmd, sizeof(cmd), "%s watch id %u 'head->id' 'head->nope' --count 1",
			 INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
		assert_int_equal(st, 1);
		assert_non_null(strstr(err, "'head->nope': 'nope' is not a member of struct node"));
		free(out);
		free(err);
		snprintf(cmd, sizeof(cmd),
			 "%s watch id %u "
			 "'head->next->next->next->next->next->next->next->next->id' --count 1",
			 INSPECT_BIN, F.map_id);
		assert_int_equal(fixture_run2(cmd, &out, &err, &st), 0);
		assert_int_equal(st, 0);
		assert_non_null(strstr(out, "error: "));
		assert_non_null(strstr(out, "NULL"));
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(live_changes_and_condition, teardown),
		cmocka_unit_test_teardown(live_cli_stream, teardown),
		cmocka_unit_test_teardown(churn_paths_follow_the_data, teardown),
		cmocka_unit_test_teardown(churn_struct_members, teardown),
		cmocka_unit_test_teardown(churn_whole_array, teardown),
		cmocka_unit_test_teardown(bad_watches, teardown),
	};
	const char *why = bpf_test_skip_reason();

	if (why) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
