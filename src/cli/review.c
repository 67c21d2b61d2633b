/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/review.c - the review command (placeholder while the pipeline is assembled).
 */
#include "cli/cli.h"

int ss_cmd_review(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    ss_cli_error("review: not available yet");
    return SS_EXIT_USAGE;
}
