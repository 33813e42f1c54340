// SPDX-License-Identifier: GPL-2.0
/* keeps libtestcommon non-empty before any helper exists */
int testcommon_linked;
