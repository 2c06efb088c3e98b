/*
 * replay.c -- feed every file of the given corpus directories (or the given
 * files) to LLVMFuzzerTestOneInput, once each, in name order; then the
 * empty input.  Built with the project's compiler and flags by `make
 * fuzz-regress`, so the corpora that libFuzzer grew are a regression test
 * that needs no clang.  Each input is copied into a buffer of exactly its
 * size, so a sanitizer sees any read past its end.
 *
 * Exits 0 after all inputs, 1 if a directory is empty or unreadable (a
 * lost corpus must not pass as a clean run); a failed invariant aborts.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Read path into a new buffer of exactly its size (at least 1 byte). */
static int
slurp(const char *path, uint8_t **buf, size_t *len)
{
	FILE		*f;
	struct stat	 st;
	int		 rc = -1;

	*buf = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode))
		goto done;
	*len = (size_t)st.st_size;
	if ((*buf = malloc(*len > 0 ? *len : 1)) == NULL)
		goto done;
	if (fread(*buf, 1, *len, f) != *len) {
		free(*buf);
		*buf = NULL;
		goto done;
	}
	rc = 0;
done:
	fclose(f);
	return rc;
}

static int
run_file(const char *path)
{
	uint8_t	*buf;
	size_t	 len;

	if (slurp(path, &buf, &len) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path,
		    errno != 0 ? strerror(errno) : "cannot read");
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int
not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file of dir in name order; the count run, or -1. */
static long
run_dir(const char *dir)
{
	struct dirent	**names;
	char		 path[4096];
	int		 i, n;
	long		 count = 0;

	if ((n = scandir(dir, &names, not_hidden, alphasort)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (count >= 0 && run_file(path) == 0)
			count++;
		else
			count = -1;
		free(names[i]);
	}
	free(names);
	if (count == 0)
		fprintf(stderr, "replay: %s: empty corpus\n", dir);
	return count > 0 ? count : -1;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	uint8_t		*empty;
	long		 n, total = 0;
	int		 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir|file ...\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			n = run_dir(argv[i]);
		else
			n = run_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			return 1;
		total += n;
	}
	if ((empty = malloc(1)) == NULL)
		return 1;
	LLVMFuzzerTestOneInput(empty, 0);
	free(empty);
	printf("%s: %ld inputs\n", argv[0], total + 1);
	return 0;
}
