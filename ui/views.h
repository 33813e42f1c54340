/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The view registry: one row per view. The view enum (V_ID), its request
 * (REQ_VIEW_ID), its keymap (KM_ID, whose bindings tui_keys.c holds), the
 * key that opens it, the Tab cycle, the help section and a ':' command that
 * opens it are all generated from this table (tui_views.c, tui_keys.c,
 * tui_cmd.c). Adding a view is one file (ui/view_NAME.c, exporting
 * NAME_ops) and one row here.
 *
 *   _(ID, OPS, SECTION, KEY, FLAGS, HELP, COMMAND)
 *
 * SECTION heads the view's keys in the help screen. KEY opens the view from
 * everywhere; 0 for a view in the Tab cycle gives it Alt and the next digit
 * (1, 2, ...: the cycle views in this order). HELP describes KEY. COMMAND
 * (NULL: none) is a ':' command without arguments that opens the view.
 * FLAGS:
 *   VF_CYCLE      Tab / Shift-Tab go through it, and it gets Alt and a digit
 *   VF_ARENA      needs an open arena (without one the chooser shows)
 *   VF_TRANSIENT  q, Esc and Backspace go back to the view before it
 *
 * The order is the help screen's order (sections and keys).
 */
#ifndef ARENA_INSPECT_VIEWS_H
#define ARENA_INSPECT_VIEWS_H

#define VF_CYCLE 1
#define VF_ARENA 2
#define VF_TRANSIENT 4

#define VIEW_INFO(_)                                                                      \
	_(PAGES, pages_ops, "Page map", 0, VF_CYCLE | VF_ARENA, "Page map view", NULL)    \
	_(HEX, hex_ops, "Hex view", 0, VF_CYCLE | VF_ARENA, "Hex view", NULL)             \
	_(STRUCT, struct_ops, "Struct view", 0, VF_CYCLE | VF_ARENA, "Struct view", NULL) \
	_(WATCH, watch_ops, "Watch pane", 0, VF_CYCLE | VF_ARENA, "Watch pane", NULL)     \
	_(TABLE, table_ops, "Table view", 0, VF_CYCLE | VF_ARENA, "Table view", NULL)     \
	_(CHOOSER, chooser_ops, "Arena chooser", 'A', 0, "Arena chooser", NULL)           \
	_(MESSAGES, messages_ops, "Messages", 'M', VF_TRANSIENT,                          \
	  "Status messages: the last 200, with their times", "messages")                  \
	_(HEALTH, health_ops, "Health view", 'H', VF_ARENA | VF_TRANSIENT,                \
	  "Health check findings, unreachable pages; references (x)", NULL)               \
	_(TEXT, text_ops, "Help and text", 0, VF_TRANSIENT, "Help and text", NULL)

#endif
