/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_keygen.c - implements `siloscope keygen [FILE]`: make an Ed25519 key pair for
 * signing reviews (FILE, mode 0600, and FILE.pub), never overwriting existing files.
 */
#include "cli/cli.h"

#include "core/diag.h"
#include "evidence/dsse.h"

static const char keygen_help[] =
    "usage: siloscope keygen [FILE]\n"
    "\n"
    "Make an Ed25519 key pair for signing reviews: the private key FILE (PEM, PKCS#8,\n"
    "readable by you only) and the public key FILE.pub (PEM). FILE defaults to\n"
    "'siloscope.key'. Existing files are never overwritten.\n"
    "\n"
    "Sign a review with 'siloscope review CASE --key FILE'; give FILE.pub to whoever\n"
    "verifies it: 'siloscope verify OUT --key FILE.pub'. The key id printed is the\n"
    "SHA-256 of the DER public key (openssl pkey -pubin -in FILE.pub -outform DER |\n"
    "sha256sum).\n"
    "\n"
    "options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit codes: 0 written, 2 usage error, 4 cannot write the files.\n";

int ss_cmd_keygen(int argc, char **argv)
{
    struct ss_args a;
    struct ss_diag d;
    char pub[4096], id[SS_SHA256_HEX_SIZE];
    const char *priv = "siloscope.key";
    int r;

    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        if (ss_args_help(&a)) {
            fputs(keygen_help, stdout);
            return SS_EXIT_OK;
        }
        return ss_args_unknown(&a);
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos > 1) {
        ss_cli_error("keygen: at most one FILE expected (see 'siloscope keygen --help')");
        return SS_EXIT_USAGE;
    }
    if (a.n_pos == 1)
        priv = a.pos[0];
    if ((size_t)snprintf(pub, sizeof(pub), "%s.pub", priv) >= sizeof(pub)) {
        ss_cli_error("keygen: file name too long '%s'", priv);
        return SS_EXIT_USAGE;
    }
    ss_diag_clear(&d);
    r = ss_keygen(priv, pub, id, &d);
    if (r < 0) {
        char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

        if (d.code == 0)
            ss_diag_set(&d, r, NULL, 0, 0, UINT64_MAX, "%s", ss_strerror(r));
        ss_diag_format(&d, msg, sizeof(msg));
        ss_cli_error("keygen: cannot make the key pair: %s", msg);
        return SS_EXIT_INTERNAL;
    }
    printf("private key  %s (keep it secret)\n", priv);
    printf("public key   %s\n", pub);
    printf("key id       %s\n", id);
    return SS_EXIT_OK;
}
