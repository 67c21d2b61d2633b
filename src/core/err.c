/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/err.c - implements ss_strerror for both -errno values and project codes, and
 * ss_open_regular.
 */
#include "core/base.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ss_strerror(int r)
{
    switch (r) {
    case 0:
        return "success";
    case SS_ESYNTAX:
        return "malformed input";
    case SS_ECORRUPT:
        return "corrupt data";
    case SS_ELIMIT:
        return "limit exceeded";
    case SS_EVERIFY:
        return "verification failed";
    case SS_EEMPTY:
        return "empty";
    case SS_EUNSUPPORTED:
        return "not supported";
    case SS_ENOTFOUND:
        return "not found";
    case SS_ENOTREG:
        return "not a regular file";
    default:
        break;
    }
    if (r < 0 && r > -4096)
        return strerror(-r);
    return "unknown error";
}

int ss_open_regular(const char *path, int flags, struct stat *ret_st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags);
    struct stat st;
    int r;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) != 0) {
        r = -errno;
        (void)close(fd);
        return r;
    }
    if (!S_ISREG(st.st_mode)) {
        (void)close(fd);
        return S_ISDIR(st.st_mode) ? -EISDIR : SS_ENOTREG;
    }
    if (ret_st != NULL)
        *ret_st = st;
    return fd;
}
