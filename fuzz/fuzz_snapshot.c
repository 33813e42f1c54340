// SPDX-License-Identifier: GPL-2.0
/* libFuzzer over the snapshot reader: open, read everything, close. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "snapshot.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 20];
	static int fd = -1;
	static char path[64];
	struct source *s;
	struct pagemap pm;

	if (fd < 0) {
		fd = memfd_create("fuzz_snapshot", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	(void)snapshot__is_snapshot(path);
	if (snapshot__open(path, &s))
		return 0;
	if (!source__pagemap(s, &pm)) {
		uint64_t total = (uint64_t)s->info.max_pages * 4096;

		/* every byte, in big and odd-sized pieces */
		for (uint64_t off = 0; s->info.user_vm_start && off < total;) {
			size_t len = total - off < sizeof(buf) ? total - off : sizeof(buf);

			if (source__read(s, s->info.user_vm_start + off, buf, len, NULL) < 0)
				abort();
			off += len;
		}
		if (s->info.user_vm_start && total > 5000)
			source__read(s, s->info.user_vm_start + 4095, buf, 5000, NULL);
		pagemap__free(&pm);
	}
	if (s->ops->btf_blobs) {
		const void **blobs;
		const size_t *sizes;
		int n;
		volatile uint8_t sink = 0;

		if (!s->ops->btf_blobs(s, &blobs, &sizes, &n))
			for (int i = 0; i < n; i++)
				if (sizes[i])
					sink ^= ((const uint8_t *)blobs[i])[0] ^
						((const uint8_t *)blobs[i])[sizes[i] - 1];
		(void)sink;
	}
	if (s->ops->roots) {
		const struct root *r;
		int n;

		if (!s->ops->roots(s, &r, &n))
			for (int i = 0; i < n; i++)
				if (strlen(r[i].name) >= sizeof(r[i].name))
					abort();
	}
	source__close(s);
	return 0;
}
