/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The corpus replay of the normal test run: a fuzz target without
 * libFuzzer. Feeds every regular file of each directory (or each file)
 * given to LLVMFuzzerTestOneInput once, in an exactly sized buffer, and
 * prints how many it fed. Built by `scripts/fuzz.sh replay` with the
 * project's compiler (AddressSanitizer and UndefinedBehaviorSanitizer when
 * scripts/test builds it), so a crash, a sanitizer report or a failed
 * invariant ends it with a non-zero status and the input's name.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static const char *current;

static void say_current(void)
{
    if (current) {
        fprintf(stderr, "replay: failed on %s\n", current);
        current = NULL;
    }
}

/* the sanitizers' runtimes call this before they end the process */
void __sanitizer_set_death_callback(void (*callback)(void))
    __attribute__((weak));

static void on_signal(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int feed(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    if (!f) {
        perror(path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        perror(path);
        fclose(f);
        return -1;
    }
    /* exactly n bytes: a read past the input is a heap overflow */
    if (!(buf = malloc(n ? (size_t)n : 1))
        || (n && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    current = path;
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    current = NULL;
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, fed = 0, bad = 0;

    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(say_current);
    signal(SIGSEGV, on_signal);
    signal(SIGBUS, on_signal);
    signal(SIGABRT, on_signal);
    signal(SIGFPE, on_signal);
    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR *d;
        struct dirent *e;

        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += feed(argv[i]) != 0;
            fed++;
            continue;
        }
        if (!(d = opendir(argv[i]))) {
            perror(argv[i]);
            bad++;
            continue;
        }
        while ((e = readdir(d))) {
            char *path;

            if (e->d_name[0] == '.')
                continue;
            path = malloc(strlen(argv[i]) + strlen(e->d_name) + 2);
            if (!path)
                abort();
            sprintf(path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad += feed(path) != 0;
                fed++;
            }
            free(path);
        }
        closedir(d);
    }
    printf("%d inputs\n", fed);
    return bad ? 1 : 0;
}
