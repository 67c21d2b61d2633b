/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/err.c - implements ss_strerror for both -errno values and project codes.
 */
#include "core/base.h"

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
    default:
        break;
    }
    if (r < 0 && r > -4096)
        return strerror(-r);
    return "unknown error";
}
