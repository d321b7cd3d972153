/* SPDX-License-Identifier: MIT */
/*
 * Credentials for libvirt connections from the endpoint's auth file, in
 * libvirt's own auth.conf format.  libvirt's LIBVIRT_AUTH_FILE is one
 * variable for the whole process, but each endpoint has its own file, so the
 * harness reads the file itself and answers libvirt's auth callback.  The
 * file must be private to its owner; a password is never logged and is
 * wiped from memory once the connection is open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvirt_priv.h"
#include "util.h"

#define AUTH_FILE_MAX (64 * 1024)

/* One [group] of the file. */
struct group {
    char *name;
    char *authname;
    char *password;
    char *credentials; /* auth-* groups: which credentials-* to use */
};

struct groups {
    struct group *v;
    size_t n, alloc;
};

static void wipe_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

static void groups_release(struct groups *g)
{
    size_t i;

    for (i = 0; i < g->n; i++) {
        free(g->v[i].name);
        free(g->v[i].authname);
        wipe_free(g->v[i].password);
        free(g->v[i].credentials);
    }
    free(g->v);
}

/* Read path, refusing a file others may read. */
static char *read_private(const char *path, struct odca_error **err)
{
    struct odca_buf b = {0};
    struct stat st;
    char chunk[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot open auth file '%s': %s",
                       path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "auth file '%s' is not a regular file", path);
        goto error;
    }
    if (st.st_mode & 077) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "auth file '%s' has mode %04o; make it 0600", path,
                       (unsigned)(st.st_mode & 07777));
        goto error;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
           b.len + (size_t)n <= AUTH_FILE_MAX)
        odca_buf_add(&b, chunk, (size_t)n);
    explicit_bzero(chunk, sizeof(chunk));
    if (n != 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read auth file '%s': %s",
                       path, n < 0 ? strerror(errno) : "it is too large");
        goto error;
    }
    close(fd);
    return odca_buf_steal(&b);

error:
    close(fd);
    if (b.data)
        explicit_bzero(b.data, b.len);
    odca_buf_release(&b);
    return NULL;
}

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

static void parse_line(struct groups *g, char *line)
{
    char *eq, *key, *value;
    struct group *cur;

    line = trim(line);
    if (*line == '\0' || *line == '#' || *line == ';')
        return;
    if (*line == '[') {
        char *close = strchr(line, ']');

        g->v = xgrow(g->v, sizeof(*g->v), g->n + 1, &g->alloc);
        g->v[g->n++].name = xstrndup(
            line + 1, close ? (size_t)(close - line - 1) : strlen(line + 1));
        return;
    }
    eq = strchr(line, '=');
    if (!eq || g->n == 0)
        return;
    *eq = '\0';
    key = trim(line);
    value = trim(eq + 1);
    cur = &g->v[g->n - 1];
    if (strcmp(key, "authname") == 0 && !cur->authname)
        cur->authname = xstrdup(value);
    else if (strcmp(key, "password") == 0 && !cur->password)
        cur->password = xstrdup(value);
    else if (strcmp(key, "credentials") == 0 && !cur->credentials)
        cur->credentials = xstrdup(value);
}

static void parse_groups(struct groups *g, char *text)
{
    char *line = text;

    while (line && *line) {
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        parse_line(g, line);
        line = nl ? nl + 1 : NULL;
    }
}

static struct group *find_group(struct groups *g, const char *name)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        if (strcmp(g->v[i].name, name) == 0)
            return &g->v[i];
    return NULL;
}

/* "auth-<service>-<suffix>" for any service; its credentials group. */
static struct group *find_auth(struct groups *g, const char *suffix)
{
    size_t i, ls = strlen(suffix);

    for (i = 0; i < g->n; i++) {
        const char *name = g->v[i].name;
        size_t ln = strlen(name);
        char *cred;
        struct group *found;

        if (!odca_starts_with(name, "auth-") || ln < 6 + ls + 1 ||
            name[ln - ls - 1] != '-' || strcmp(name + ln - ls, suffix) != 0 ||
            !g->v[i].credentials)
            continue;
        cred = xasprintf("credentials-%s", g->v[i].credentials);
        found = find_group(g, cred);
        free(cred);
        if (found)
            return found;
    }
    return NULL;
}

static struct group *pick(struct groups *g, const char *host)
{
    struct group *only = NULL;
    size_t i, n = 0;

    if (host && find_auth(g, host))
        return find_auth(g, host);
    if (find_auth(g, "default"))
        return find_auth(g, "default");
    for (i = 0; i < g->n; i++) {
        if (odca_starts_with(g->v[i].name, "credentials-")) {
            only = &g->v[i];
            n++;
        }
    }
    return n == 1 ? only : NULL;
}

int odca_lv_creds_load(const char *path, const char *host,
                       struct odca_lv_creds *out, struct odca_error **err)
{
    struct groups g = {NULL, 0, 0};
    struct group *chosen;
    char *text = read_private(path, err);
    int rc = -1;

    if (!text)
        return -1;
    parse_groups(&g, text);
    explicit_bzero(text, strlen(text));
    chosen = pick(&g, host);
    if (!chosen) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "auth file '%s' has no credentials for host '%s'", path,
                       host ? host : "localhost");
    } else {
        out->authname = xstrdup(chosen->authname);
        out->password = xstrdup(chosen->password);
        rc = 0;
    }
    free(text);
    groups_release(&g);
    return rc;
}

void odca_lv_creds_release(struct odca_lv_creds *creds)
{
    free(creds->authname);
    wipe_free(creds->password);
    creds->authname = NULL;
    creds->password = NULL;
}

int odca_lv_auth_cb(virConnectCredentialPtr cred, unsigned int ncred,
                    void *cbdata)
{
    const struct odca_lv_creds *creds = cbdata;
    unsigned int i;

    for (i = 0; i < ncred; i++) {
        const char *v = NULL;

        if (cred[i].type == VIR_CRED_AUTHNAME)
            v = creds->authname ? creds->authname : cred[i].defresult;
        else if (cred[i].type == VIR_CRED_PASSPHRASE ||
                 cred[i].type == VIR_CRED_NOECHOPROMPT)
            v = creds->password;
        /* Nothing to answer (or a question we must not answer): fail. */
        if (!v)
            return -1;
        cred[i].result = xstrdup(v);
        cred[i].resultlen = (unsigned int)strlen(v);
    }
    return 0;
}
