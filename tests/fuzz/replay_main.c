/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/fuzz/replay_main.c - runs a libFuzzer target over committed corpus files, so
 * every fuzz corpus replays inside `meson test` without a fuzzing engine. Arguments are
 * files or directories (read non-recursively). Prints "N passed, 0 failed": a crash or a
 * sanitizer report is the failure.
 */
#include "core/base.h"
#include "core/alloc.h"

#include <dirent.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, unsigned *n_run)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long n;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    data = ss_malloc((size_t)n + 1);
    if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
        ss_free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    (void)LLVMFuzzerTestOneInput(data, (size_t)n);
    ss_free(data);
    (*n_run)++;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned n_run = 0;
    int bad = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            char path[4096];

            if (d == NULL) {
                bad = 1;
                continue;
            }
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
                if (run_file(path, &n_run) != 0)
                    bad = 1;
            }
            closedir(d);
        } else if (run_file(argv[i], &n_run) != 0) {
            bad = 1;
        }
    }
    printf("%u passed, %d failed\n", n_run, bad);
    return bad;
}
