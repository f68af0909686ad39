/* fuzz.h - the libFuzzer entry points, declared once so the fuzz targets
 * and the replay driver (replay.c) build with -Wmissing-prototypes. */
#ifndef EVIRCD_FUZZ_H
#define EVIRCD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* LLVMFuzzerTestOneInput: run one input; always returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* LLVMFuzzerInitialize: optional one-time set-up (weak: a target may omit it). */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* fuzz_err_fd: where invariant failures are reported. FUZZ_SAVE_STDERR
 * (in LLVMFuzzerInitialize, which libFuzzer runs before it applies
 * -close_fd_mask) keeps a copy of stderr, so the message survives
 * -close_fd_mask=2, which run.sh uses to silence the server's log. */
static inline int *
fuzz_err_fd(void)
{
	static int fd = 2;
	return &fd;
}
#define FUZZ_SAVE_STDERR() \
	do { \
		if (*fuzz_err_fd() == 2) { \
			int fd_ = dup(2); \
			if (fd_ >= 0) \
				*fuzz_err_fd() = fd_; \
		} \
	} while (0)

/* FUZZ_CHECK: an invariant of the code under test; a violation prints what
 * was expected and aborts, which libFuzzer (and replay) report as a crash. */
#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			dprintf(*fuzz_err_fd(), "%s:%d: invariant failed: %s: ", __FILE__, \
			    __LINE__, #cond); \
			dprintf(*fuzz_err_fd(), __VA_ARGS__); \
			dprintf(*fuzz_err_fd(), "\n"); \
			abort(); \
		} \
	} while (0)

#endif
