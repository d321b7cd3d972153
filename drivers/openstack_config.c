/* SPDX-License-Identifier: MIT */
/*
 * Reads an OpenStack cloud's settings from clouds.yaml and secure.yaml
 * (libyaml's document API) or from the OS_* variables, so that the OpenStack
 * driver connects with what its users already have.  The header has the
 * rules and where they differ from openstacksdk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "openstack_config.h"
#include "util.h"

#define MAX_FILE_BYTES (1024 * 1024)
/* Mappings one lookup may visit through merge keys: aliases can make
   merges cyclic or exponentially wide. */
#define MERGE_BUDGET 256

/* A setting being gathered; the first ones are fields of the result. */
enum slot {
    S_AUTH_TYPE,
    S_AUTH_URL,
    S_USERNAME,
    S_USER_ID,
    S_USER_DOMAIN_NAME,
    S_USER_DOMAIN_ID,
    S_PASSWORD,
    S_AC_ID,
    S_AC_NAME,
    S_AC_SECRET,
    S_PROJECT_NAME,
    S_PROJECT_ID,
    S_PROJECT_DOMAIN_NAME,
    S_PROJECT_DOMAIN_ID,
    S_DOMAIN_NAME,
    S_DOMAIN_ID,
    S_REGION_NAME,
    S_INTERFACE,
    S_CACERT,
    S_COMPUTE_API_VERSION,
    N_FIELDS,
    S_VERIFY = N_FIELDS, /* "0" or "1" */
    S_INSECURE,          /* "0" or "1" */
    S_REGIONS,           /* the first of "regions" */
    S_PROFILE,           /* only to say vendor profiles are not expanded */
    N_SLOTS
};

#define FIELD(f) offsetof(struct odca_os_cloud, f)
static const size_t field_of[N_FIELDS] = {
    [S_AUTH_TYPE] = FIELD(auth_type),
    [S_AUTH_URL] = FIELD(auth_url),
    [S_USERNAME] = FIELD(username),
    [S_USER_ID] = FIELD(user_id),
    [S_USER_DOMAIN_NAME] = FIELD(user_domain_name),
    [S_USER_DOMAIN_ID] = FIELD(user_domain_id),
    [S_PASSWORD] = FIELD(password),
    [S_AC_ID] = FIELD(application_credential_id),
    [S_AC_NAME] = FIELD(application_credential_name),
    [S_AC_SECRET] = FIELD(application_credential_secret),
    [S_PROJECT_NAME] = FIELD(project_name),
    [S_PROJECT_ID] = FIELD(project_id),
    [S_PROJECT_DOMAIN_NAME] = FIELD(project_domain_name),
    [S_PROJECT_DOMAIN_ID] = FIELD(project_domain_id),
    [S_DOMAIN_NAME] = FIELD(domain_name),
    [S_DOMAIN_ID] = FIELD(domain_id),
    [S_REGION_NAME] = FIELD(region_name),
    [S_INTERFACE] = FIELD(interface),
    [S_CACERT] = FIELD(cacert),
    [S_COMPUTE_API_VERSION] = FIELD(compute_api_version),
};

enum {
    K_AUTH = 1 << 0,     /* in "auth", or at the cloud's level */
    K_ALIAS = 1 << 1,    /* legacy name: loses to the current one */
    K_BOOL = 1 << 2,     /* true/false/yes/no, kept as "1" or "0" */
    K_PASSWORD = 1 << 3, /* the file must be private */
    K_SECRET = 1 << 4,   /* likewise */
    K_FILE = 1 << 5,     /* no OS_ variable */
};

/* A key of a cloud; its variable is OS_ and the name in capitals. */
struct key {
    const char *name;
    enum slot slot;
    unsigned flags;
};

static const struct key keys[] = {
    {"auth_type", S_AUTH_TYPE, 0},
    {"auth_url", S_AUTH_URL, K_AUTH},
    {"username", S_USERNAME, K_AUTH},
    {"user_id", S_USER_ID, K_AUTH},
    {"user_domain_name", S_USER_DOMAIN_NAME, K_AUTH},
    {"user_domain_id", S_USER_DOMAIN_ID, K_AUTH},
    {"password", S_PASSWORD, K_AUTH | K_PASSWORD},
    {"application_credential_id", S_AC_ID, K_AUTH},
    {"application_credential_name", S_AC_NAME, K_AUTH},
    {"application_credential_secret", S_AC_SECRET, K_AUTH | K_SECRET},
    {"project_name", S_PROJECT_NAME, K_AUTH},
    {"project_id", S_PROJECT_ID, K_AUTH},
    {"tenant_name", S_PROJECT_NAME, K_AUTH | K_ALIAS},
    {"tenant_id", S_PROJECT_ID, K_AUTH | K_ALIAS},
    {"project_domain_name", S_PROJECT_DOMAIN_NAME, K_AUTH},
    {"project_domain_id", S_PROJECT_DOMAIN_ID, K_AUTH},
    {"domain_name", S_DOMAIN_NAME, K_AUTH},
    {"domain_id", S_DOMAIN_ID, K_AUTH},
    {"region_name", S_REGION_NAME, 0},
    {"interface", S_INTERFACE, 0},
    {"endpoint_type", S_INTERFACE, K_ALIAS},
    {"cacert", S_CACERT, 0},
    {"verify", S_VERIFY, K_BOOL},
    {"insecure", S_INSECURE, K_BOOL},
    {"compute_api_version", S_COMPUTE_API_VERSION, 0},
    {"profile", S_PROFILE, K_FILE},
};
static const struct key regions_key = {"regions", S_REGIONS, K_FILE};

/*
 * A gathered value.  rank says which of two settings of a slot wins, the
 * order openstacksdk gives them: "auth" over the cloud's level, the current
 * name over a legacy alias; on a tie the later (secure.yaml) wins.
 */
struct val {
    char *s; /* owned, wiped when freed; NULL: not set */
    int rank;
};

/* One YAML file. */
struct ydoc {
    const char *path; /* borrowed */
    mode_t mode;
    yaml_document_t y;
    int loaded;
    int budget;   /* mappings the lookup under way may still visit */
    int too_deep; /* a lookup ran out of budget */
};

/* Where settings came from, for the messages of missing ones. */
struct origin {
    const char *source; /* "'/p/clouds.yaml', cloud 'x'" */
    const char *cloud;  /* NULL: the environment */
    const char *files;  /* "'/p/clouds.yaml' and '/p/secure.yaml'" */
};

static void wipe_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

/* s for a message: one line, not too long. */
static char *printable(const char *s)
{
    char *p = xstrndup(s, 64);
    char *q;

    for (q = p; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = '?';
    return p;
}

static int is_null(const yaml_node_t *n)
{
    const char *s;

    if (n->type != YAML_SCALAR_NODE)
        return 0;
    if (n->tag && !strcmp((const char *)n->tag, YAML_NULL_TAG))
        return 1;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static const char *kind_of(const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    return is_null(n) ? "null" : "a scalar";
}

/* ---- reading a file ---------------------------------------------------- */

static char *read_config(const char *path, size_t *len, mode_t *mode,
                         struct odca_error **err)
{
    struct stat st;
    char *data = NULL;
    size_t got = 0;
    ssize_t n = 0;
    /* O_NONBLOCK: a FIFO given by mistake must not hang the run. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot open '%s': %s", path,
                       strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        odca_error_set(err, ODCA_ERR_INPUT, "'%s' is not a regular file", path);
        goto error;
    }
    if (st.st_size > MAX_FILE_BYTES)
        goto too_big;
    /* One buffer, never moved, so that wiping it wipes every copy. */
    data = xmalloc(MAX_FILE_BYTES + 2);
    while (got <= MAX_FILE_BYTES &&
           (n = read(fd, data + got, MAX_FILE_BYTES + 1 - got)) > 0)
        got += (size_t)n;
    if (n < 0) {
        odca_error_set(err, ODCA_ERR_INPUT, "cannot read '%s': %s", path,
                       strerror(errno));
        goto error;
    }
    if (got > MAX_FILE_BYTES)
        goto too_big;
    data[got] = '\0';
    close(fd);
    *len = got;
    *mode = st.st_mode;
    return data;

too_big:
    odca_error_set(err, ODCA_ERR_INPUT, "'%s' is larger than 1 MiB", path);
error:
    close(fd);
    if (data)
        explicit_bzero(data, got);
    free(data);
    return NULL;
}

static void syntax_error(const char *path, const char *text,
                         const yaml_parser_t *p, struct odca_error **err)
{
    _cleanup_free_ char *ctx = NULL;
    int line = (int)p->problem_mark.line + 1;
    int col = (int)p->problem_mark.column + 1;

    /* The reader (bad encoding) gives an offset, not a mark. */
    if (p->error == YAML_READER_ERROR)
        odca_line_col(text, p->problem_offset, &line, &col);
    if (p->context)
        ctx = xasprintf(" (%s at line %zu column %zu)", p->context,
                        p->context_mark.line + 1, p->context_mark.column + 1);
    odca_error_set(err, ODCA_ERR_INPUT, "%s:%d:%d: invalid YAML: %s%s", path,
                   line, col, p->problem ? p->problem : "unknown error",
                   ctx ? ctx : "");
}

/* Wipe libyaml's copies of the text: it frees them as they are. */
static void wipe_parser(yaml_parser_t *p)
{
    if (p->raw_buffer.start)
        explicit_bzero(p->raw_buffer.start,
                       (size_t)(p->raw_buffer.end - p->raw_buffer.start));
    if (p->buffer.start)
        explicit_bzero(p->buffer.start,
                       (size_t)(p->buffer.end - p->buffer.start));
}

static void wipe_document(yaml_document_t *y)
{
    yaml_node_t *n;

    for (n = y->nodes.start; n && n < y->nodes.top; n++)
        if (n->type == YAML_SCALAR_NODE)
            explicit_bzero(n->data.scalar.value, n->data.scalar.length);
}

/* Parse path into d: one document, a mapping at the top. */
static int doc_load(struct ydoc *d, const char *path, struct odca_error **err)
{
    yaml_parser_t p;
    yaml_document_t more;
    yaml_node_t *root;
    size_t len = 0;
    char *text = read_config(path, &len, &d->mode, err);
    int rc = -1;

    d->path = path;
    if (!text)
        return -1;
    if (!yaml_parser_initialize(&p)) {
        fprintf(stderr, "odca-harness: out of memory\n");
        abort();
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &d->y)) {
        syntax_error(path, text, &p, err);
        goto out;
    }
    d->loaded = 1;
    if (!yaml_parser_load(&p, &more)) {
        syntax_error(path, text, &p, err);
        goto out;
    }
    root = yaml_document_get_root_node(&more);
    if (root)
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s': line %zu column %zu: expected one YAML document,"
                       " found another",
                       path, root->start_mark.line + 1,
                       root->start_mark.column + 1);
    wipe_document(&more);
    yaml_document_delete(&more);
    if (root)
        goto out;
    root = yaml_document_get_root_node(&d->y);
    if (!root) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s' is empty: expected a mapping with clouds", path);
        goto out;
    }
    if (root->type != YAML_MAPPING_NODE) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s': the top level at line %zu column %zu: expected a "
                       "mapping, found %s",
                       path, root->start_mark.line + 1,
                       root->start_mark.column + 1, kind_of(root));
        goto out;
    }
    rc = 0;
out:
    wipe_parser(&p);
    yaml_parser_delete(&p);
    explicit_bzero(text, len);
    free(text);
    return rc;
}

static void doc_release(struct ydoc *d)
{
    if (d->loaded) {
        wipe_document(&d->y);
        yaml_document_delete(&d->y);
    }
    d->loaded = 0;
}

/* ---- finding values ---------------------------------------------------- */

static yaml_node_t *node_at(struct ydoc *d, int id)
{
    return yaml_document_get_node(&d->y, id);
}

/* k is the key want; fold: '-' in k stands for '_' in want. */
static int key_is(const yaml_node_t *k, const char *want, int fold)
{
    const char *s;
    size_t i;

    if (!k || k->type != YAML_SCALAR_NODE ||
        k->data.scalar.length != strlen(want))
        return 0;
    s = (const char *)k->data.scalar.value;
    for (i = 0; i < k->data.scalar.length; i++)
        if (s[i] != want[i] && !(fold && s[i] == '-' && want[i] == '_'))
            return 0;
    return 1;
}

/* The value of key in map: its own (the last, as PyYAML), else the first
   merged mapping's ("<<", YAML's merge key). */
static yaml_node_t *lookup_in(struct ydoc *d, yaml_node_t *map, const char *key,
                              int fold)
{
    yaml_node_pair_t *p, *start, *top;
    yaml_node_t *found = NULL, *v;
    yaml_node_item_t *i;

    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    if (d->budget-- <= 0) {
        d->too_deep = 1;
        return NULL;
    }
    start = map->data.mapping.pairs.start;
    top = map->data.mapping.pairs.top;
    for (p = start; p < top; p++)
        if (key_is(node_at(d, p->key), key, fold))
            found = node_at(d, p->value);
    for (p = start; !found && p < top; p++) {
        if (!key_is(node_at(d, p->key), "<<", 0) || !(v = node_at(d, p->value)))
            continue;
        if (v->type != YAML_SEQUENCE_NODE) {
            found = lookup_in(d, v, key, fold);
            continue;
        }
        for (i = v->data.sequence.items.start;
             !found && i < v->data.sequence.items.top; i++)
            found = lookup_in(d, node_at(d, *i), key, fold);
    }
    return found;
}

static yaml_node_t *lookup(struct ydoc *d, yaml_node_t *map, const char *key,
                           int fold)
{
    d->budget = MERGE_BUDGET;
    return lookup_in(d, map, key, fold);
}

/* The value of a setting; NULL when absent or null. */
static yaml_node_t *get(struct ydoc *d, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = lookup(d, map, key, 1);

    return n && !is_null(n) ? n : NULL;
}

/* "'/p/clouds.yaml': clouds.x.auth at line 4 column 7" */
static char *place(const struct ydoc *d, const yaml_node_t *n,
                   const char *dotted)
{
    return xasprintf("'%s': %s at line %zu column %zu", d->path, dotted,
                     n->start_mark.line + 1, n->start_mark.column + 1);
}

static int type_error(const struct ydoc *d, const yaml_node_t *n,
                      const char *dotted, const char *expected,
                      struct odca_error **err)
{
    _cleanup_free_ char *where = place(d, n, dotted);

    odca_error_set(err, ODCA_ERR_INPUT, "%s: expected %s, found %s", where,
                   expected, kind_of(n));
    return -1;
}

/* n's text, which must be a scalar and hold no NUL. */
static const char *scalar_text(const struct ydoc *d, const yaml_node_t *n,
                               const char *dotted, const char *expected,
                               struct odca_error **err)
{
    const char *s = (const char *)n->data.scalar.value;

    if (n->type != YAML_SCALAR_NODE) {
        type_error(d, n, dotted, expected, err);
        return NULL;
    }
    if (strlen(s) != n->data.scalar.length) {
        _cleanup_free_ char *where = place(d, n, dotted);

        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: expected %s, found a NUL character", where,
                       expected);
        return NULL;
    }
    return s;
}

/* ---- gathering settings ------------------------------------------------ */

static int parse_bool(const char *s)
{
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes"))
        return 1;
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no"))
        return 0;
    return -1;
}

static const char *fold_interface(const char *s)
{
    static const char *const names[] = {"public", "internal", "admin"};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(names); i++) {
        size_t n = strlen(names[i]);
        if (!strncmp(s, names[i], n) && (!s[n] || !strcmp(s + n, "URL")))
            return names[i];
    }
    return NULL;
}

/* Set k's slot to text unless a stronger setting is there; where: the
   place for messages. */
static int set_value(struct val *bag, const struct key *k, int in_auth,
                     const char *text, const char *where,
                     struct odca_error **err)
{
    _cleanup_free_ char *shown = NULL;
    int rank = 1 + (in_auth ? 2 : 0) + !(k->flags & K_ALIAS);
    const char *folded = text;

    if (k->flags & K_BOOL) {
        int b = parse_bool(text);
        folded = b < 0 ? NULL : b ? "1" : "0";
    } else if (k->slot == S_INTERFACE) {
        folded = fold_interface(text);
    }
    if (!folded) {
        shown = printable(text);
        odca_error_set(
            err, ODCA_ERR_INPUT, "%s: expected %s, found '%s'", where,
            k->flags & K_BOOL ? "true or false" : "public, internal or admin",
            shown);
        return -1;
    }
    if (rank < bag[k->slot].rank)
        return 0;
    wipe_free(bag[k->slot].s);
    bag[k->slot].s = xstrdup(folded);
    bag[k->slot].rank = rank;
    return 0;
}

/* One key of a cloud (in_auth: of its auth mapping); *secret gets the
   K_PASSWORD or K_SECRET flag of a secret read. */
static int read_key(struct ydoc *d, yaml_node_t *map, const char *base,
                    const struct key *k, int in_auth, struct val *bag,
                    unsigned *secret, struct odca_error **err)
{
    _cleanup_free_ char *dotted = NULL;
    _cleanup_free_ char *where = NULL;
    yaml_node_t *n = get(d, map, k->name);
    const char *text;

    if (!n)
        return 0;
    dotted = xasprintf("%s.%s", base, k->name);
    text = scalar_text(d, n, dotted,
                       k->flags & K_BOOL ? "true or false" : "a string", err);
    if (!text)
        return -1;
    where = place(d, n, dotted);
    if (set_value(bag, k, in_auth, text, where, err) < 0)
        return -1;
    *secret |= k->flags & (K_PASSWORD | K_SECRET);
    return 0;
}

/* "regions": names or mappings with a name; the first one is kept. */
static int read_regions(struct ydoc *d, yaml_node_t *cloud, const char *base,
                        struct val *bag, struct odca_error **err)
{
    _cleanup_free_ char *dotted = xasprintf("%s.regions", base);
    _cleanup_free_ char *where = NULL;
    yaml_node_t *list = get(d, cloud, "regions"), *first;
    const char *text;

    if (!list)
        return 0;
    if (list->type != YAML_SEQUENCE_NODE)
        return type_error(d, list, dotted, "a list of regions", err);
    if (list->data.sequence.items.start == list->data.sequence.items.top)
        return 0;
    first = node_at(d, list->data.sequence.items.start[0]);
    free(dotted);
    dotted = xasprintf("%s.regions[0]", base);
    if (first->type == YAML_MAPPING_NODE) {
        yaml_node_t *name = get(d, first, "name");

        if (!name)
            return type_error(d, first, dotted,
                              "a region name or a mapping with a name", err);
        free(dotted);
        dotted = xasprintf("%s.regions[0].name", base);
        first = name;
    }
    text = scalar_text(d, first, dotted, "a region name", err);
    if (!text)
        return -1;
    where = place(d, first, dotted);
    return set_value(bag, &regions_key, 0, text, where, err);
}

/* The settings of one cloud's mapping, and the file's mode check. */
static int read_cloud(struct ydoc *d, yaml_node_t *cloud, const char *name,
                      struct val *bag, struct odca_error **err)
{
    _cleanup_free_ char *base = xasprintf("clouds.%s", name);
    _cleanup_free_ char *auth_base = xasprintf("clouds.%s.auth", name);
    yaml_node_t *auth = get(d, cloud, "auth");
    unsigned secret = 0;
    size_t i;

    if (auth && auth->type != YAML_MAPPING_NODE)
        return type_error(d, auth, auth_base, "a mapping", err);
    for (i = 0; i < ODCA_ARRAY_SIZE(keys); i++) {
        if (read_key(d, cloud, base, &keys[i], 0, bag, &secret, err) < 0)
            return -1;
        if ((keys[i].flags & K_AUTH) && auth &&
            read_key(d, auth, auth_base, &keys[i], 1, bag, &secret, err) < 0)
            return -1;
    }
    if (read_regions(d, cloud, base, bag, err) < 0)
        return -1;
    if (d->too_deep) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s': %s: merge keys ('<<') nest too deep", d->path,
                       base);
        return -1;
    }
    if (secret && (d->mode & 077)) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s' holds %s and is readable by others (mode %04o); "
                       "chmod 600 it",
                       d->path,
                       secret & K_PASSWORD ? "a password"
                                           : "an application credential secret",
                       (unsigned)(d->mode & 07777));
        return -1;
    }
    return 0;
}

/* "a, b" of the clouds in clouds, their *count and the *first name;
   caller frees. */
static char *cloud_names(struct ydoc *d, yaml_node_t *clouds, size_t *count,
                         const char **first)
{
    struct odca_buf b = {0};
    yaml_node_pair_t *p;

    *count = 0;
    *first = NULL;
    for (p = clouds->data.mapping.pairs.start;
         p < clouds->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(d, p->key);
        _cleanup_free_ char *shown = NULL;

        if (!k || k->type != YAML_SCALAR_NODE || key_is(k, "<<", 0))
            continue;
        if (!*first)
            *first = (const char *)k->data.scalar.value;
        shown = printable((const char *)k->data.scalar.value);
        odca_buf_printf(&b, "%s%s", b.len ? ", " : "", shown);
        (*count)++;
    }
    return b.data ? odca_buf_steal(&b) : xstrdup("none");
}

/*
 * The mapping of cloud name (NULL: the only one) in d: *picked gets the
 * name (caller frees), *node the mapping or NULL if the cloud is empty.
 * required: a missing cloud is an error (clouds.yaml), not (secure.yaml).
 */
static int find_cloud(struct ydoc *d, const char *name, int required,
                      char **picked, yaml_node_t **node,
                      struct odca_error **err)
{
    yaml_node_t *clouds = get(d, yaml_document_get_root_node(&d->y), "clouds");
    _cleanup_free_ char *names = NULL;
    _cleanup_free_ char *dotted = NULL;
    const char *first;
    yaml_node_t *n = NULL;
    size_t count;

    *node = NULL;
    if (clouds && clouds->type != YAML_MAPPING_NODE)
        return type_error(d, clouds, "clouds", "a mapping of clouds by name",
                          err);
    if (!clouds && required) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s': expected a 'clouds' mapping at the top level",
                       d->path);
        return -1;
    }
    if (!clouds)
        return 0;
    names = cloud_names(d, clouds, &count, &first);
    if (!name && count != 1) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s': clouds at line %zu column %zu holds %zu clouds "
                       "(%s): expected a cloud name (openstack://CLOUD or "
                       "OS_CLOUD)",
                       d->path, clouds->start_mark.line + 1,
                       clouds->start_mark.column + 1, count, names);
        return -1;
    }
    if (!name)
        name = first;
    n = lookup(d, clouds, name, 0);
    if (!n && !required)
        return 0;
    if (!n) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "'%s': clouds at line %zu column %zu: expected a cloud "
                       "named '%s', found: %s",
                       d->path, clouds->start_mark.line + 1,
                       clouds->start_mark.column + 1, name, names);
        return -1;
    }
    dotted = xasprintf("clouds.%s", name);
    if (n->type != YAML_MAPPING_NODE && !is_null(n))
        return type_error(d, n, dotted, "a mapping", err);
    *picked = xstrdup(name);
    *node = is_null(n) ? NULL : n;
    return 0;
}

/* "OS_AUTH_URL" for "auth_url"; caller frees. */
static char *env_name(const char *key)
{
    char *var = xasprintf("OS_%s", key);
    char *p;

    for (p = var + 3; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return var;
}

static int read_env(struct val *bag, struct odca_error **err)
{
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(keys); i++) {
        _cleanup_free_ char *var = NULL;
        const char *v;

        if (keys[i].flags & K_FILE)
            continue;
        var = env_name(keys[i].name);
        v = getenv(var);
        if (v && *v && set_value(bag, &keys[i], 1, v, var, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- checking and completing ------------------------------------------- */

/* "clouds.x.auth.k1 or clouds.x.auth.k2 in FILES", "OS_K1 or OS_K2" */
static char *looked_for(const struct origin *o, const char *k1, const char *k2)
{
    struct odca_buf b = {0};
    const char *k[] = {k1, k2};
    size_t i;

    for (i = 0; i < ODCA_ARRAY_SIZE(k) && k[i]; i++) {
        _cleanup_free_ char *var = o->cloud ? NULL : env_name(k[i]);

        odca_buf_puts(&b, i ? " or " : "");
        if (o->cloud)
            odca_buf_printf(&b, "clouds.%s.auth.%s", o->cloud, k[i]);
        else
            odca_buf_puts(&b, var);
    }
    if (o->cloud)
        odca_buf_printf(&b, " in %s", o->files);
    return odca_buf_steal(&b);
}

static int missing(const struct origin *o, const char *auth, const char *what,
                   const char *k1, const char *k2, const char *hint,
                   struct odca_error **err)
{
    _cleanup_free_ char *where = looked_for(o, k1, k2);

    odca_error_set(err, ODCA_ERR_INPUT,
                   "%s: %s authentication needs %s; looked for %s%s", o->source,
                   auth, what, where, hint);
    return -1;
}

static int check_required(const struct val *bag, const struct origin *o,
                          int appcred, struct odca_error **err)
{
    const char *auth = appcred ? "application credential" : "password";
    int user = bag[S_USERNAME].s || bag[S_USER_ID].s;

    if (!bag[S_AUTH_URL].s)
        return missing(o, auth, "auth_url", "auth_url", NULL,
                       bag[S_PROFILE].s ? " (vendor profiles are not "
                                          "expanded: give auth_url)"
                                        : "",
                       err);
    if (appcred && !bag[S_AC_SECRET].s)
        return missing(o, auth, "the secret", "application_credential_secret",
                       NULL, "", err);
    if (appcred && !bag[S_AC_ID].s && !bag[S_AC_NAME].s)
        return missing(o, auth, "the credential's id or name",
                       "application_credential_id",
                       "application_credential_name", "", err);
    if (appcred && !bag[S_AC_ID].s && !user)
        return missing(o, auth, "a user with application_credential_name",
                       "username", "user_id", "", err);
    if (appcred)
        return 0;
    if (!user)
        return missing(o, auth, "a user", "username", "user_id", "", err);
    if (!bag[S_PASSWORD].s)
        return missing(o, auth, "a password", "password", NULL, "", err);
    if (!bag[S_PROJECT_NAME].s && !bag[S_PROJECT_ID].s)
        return missing(o, auth, "a project", "project_name", "project_id", "",
                       err);
    return 0;
}

static int auth_kind(const struct val *bag, const struct origin *o,
                     int *appcred, struct odca_error **err)
{
    _cleanup_free_ char *shown = NULL;
    const char *t = bag[S_AUTH_TYPE].s;

    if (!t)
        *appcred = !bag[S_PASSWORD].s && bag[S_AC_SECRET].s;
    else if (!strcmp(t, "password") || !strcmp(t, "v3password"))
        *appcred = 0;
    else if (!strcmp(t, "v3applicationcredential"))
        *appcred = 1;
    else
        shown = printable(t);
    if (shown)
        odca_error_set(
            err, ODCA_ERR_UNSUPPORTED,
            "%s: auth_type '%s' is not supported; expected password, "
            "v3password or v3applicationcredential",
            o->source, shown);
    return shown ? -1 : 0;
}

/* A domain for the user or project: the one given, else domain_name or
   domain_id, else "Default" (see the header). */
static void default_domain(struct val *bag, enum slot name, enum slot id)
{
    if (bag[name].s || bag[id].s)
        return;
    if (bag[S_DOMAIN_NAME].s || bag[S_DOMAIN_ID].s) {
        bag[name].s = xstrdup(bag[S_DOMAIN_NAME].s);
        bag[id].s = xstrdup(bag[S_DOMAIN_ID].s);
    } else {
        bag[name].s = xstrdup("Default");
    }
}

/* Check the gathered settings and move them into c. */
static int resolve(struct val *bag, const struct origin *o,
                   struct odca_os_cloud *c, struct odca_error **err)
{
    const char *home = getenv("HOME");
    int appcred = 0;
    size_t i;

    if (auth_kind(bag, o, &appcred, err) < 0 ||
        check_required(bag, o, appcred, err) < 0)
        return -1;
    if (bag[S_USERNAME].s)
        default_domain(bag, S_USER_DOMAIN_NAME, S_USER_DOMAIN_ID);
    if (bag[S_PROJECT_NAME].s)
        default_domain(bag, S_PROJECT_DOMAIN_NAME, S_PROJECT_DOMAIN_ID);
    for (i = 0; i < N_FIELDS; i++) {
        *(char **)((char *)c + field_of[i]) = bag[i].s;
        bag[i].s = NULL;
    }
    free(c->auth_type);
    c->auth_type = xstrdup(appcred ? "v3applicationcredential" : "password");
    if (!c->interface)
        c->interface = xstrdup("public");
    if (!c->region_name) {
        c->region_name = bag[S_REGIONS].s;
        bag[S_REGIONS].s = NULL;
    }
    /* As openstacksdk: insecure is the strongest setting. */
    c->insecure = (bag[S_INSECURE].s && !strcmp(bag[S_INSECURE].s, "1")) ||
                  (bag[S_VERIFY].s && !strcmp(bag[S_VERIFY].s, "0"));
    if (c->cacert && !strncmp(c->cacert, "~/", 2) && home && *home) {
        char *path = xasprintf("%s%s", home, c->cacert + 1);

        free(c->cacert);
        c->cacert = path;
    }
    return 0;
}

/* ---- where the settings are -------------------------------------------- */

/*
 * The first that exists of $var and base.yaml or base.yml in the standard
 * directories; caller frees; NULL if none, and then *looked (if not NULL)
 * lists where.
 */
static char *find_file(const char *var, const char *base,
                       struct odca_buf *looked)
{
    static const char *const suffixes[] = {".yaml", ".yml"};
    const char *env = getenv(var), *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    _cleanup_free_ char *cwd = getcwd(NULL, 0);
    _cleanup_free_ char *xdg_dir =
        xdg && *xdg == '/' ? xasprintf("%s/openstack", xdg) : NULL;
    _cleanup_free_ char *home_dir =
        home && *home ? xasprintf("%s/.config/openstack", home) : NULL;
    const char *dirs[] = {cwd, xdg_dir, home_dir, "/etc/openstack"};
    size_t i, j;

    if (env && *env) {
        if (access(env, F_OK) == 0)
            return xstrdup(env);
        if (looked)
            odca_buf_printf(looked, "'%s' ($%s), ", env, var);
    }
    if (looked)
        odca_buf_printf(looked, "%s.yaml or %s.yml in", base, base);
    for (i = 0; i < ODCA_ARRAY_SIZE(dirs); i++) {
        if (!dirs[i])
            continue;
        for (j = 0; j < ODCA_ARRAY_SIZE(suffixes); j++) {
            char *path = xasprintf("%s/%s%s", dirs[i], base, suffixes[j]);

            if (access(path, F_OK) == 0)
                return path;
            free(path);
        }
        if (looked)
            odca_buf_printf(looked, " '%s'", dirs[i]);
    }
    return NULL;
}

static int load_env(struct val *bag, struct odca_os_cloud *c,
                    struct odca_error **err)
{
    const struct origin o = {.source = "OS_* environment"};
    const char *url = getenv("OS_AUTH_URL");

    if (!url || !*url) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "no OpenStack cloud configured: name a cloud of "
                       "clouds.yaml in the endpoint URI (openstack://CLOUD) or "
                       "in OS_CLOUD, or set the OS_* variables of an openrc "
                       "file (OS_AUTH_URL and the rest)");
        return -1;
    }
    c->name = xstrdup("environment");
    c->source = xstrdup(o.source);
    if (read_env(bag, err) < 0)
        return -1;
    return resolve(bag, &o, c, err);
}

/* The cloud from clouds.yaml, with secure.yaml's settings over it. */
static int load_files(const char *name, const char *file, struct val *bag,
                      struct odca_os_cloud *c, struct odca_error **err)
{
    struct ydoc clouds = {0}, secure = {0};
    struct odca_buf looked = {0};
    char *clouds_path =
        file ? xstrdup(file)
             : find_file("OS_CLIENT_CONFIG_FILE", "clouds", &looked);
    char *secure_path = NULL, *files = NULL, *ignored = NULL;
    yaml_node_t *node;
    struct origin o;
    int rc = -1;

    if (!clouds_path) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "no clouds.yaml for cloud '%s': looked for %s", name,
                       looked.data);
        goto out;
    }
    if (doc_load(&clouds, clouds_path, err) < 0 ||
        find_cloud(&clouds, name, 1, &c->name, &node, err) < 0)
        goto out;
    c->source = xasprintf("'%s', cloud '%s'", clouds_path, c->name);
    if (node && read_cloud(&clouds, node, c->name, bag, err) < 0)
        goto out;
    secure_path = find_file("OS_CLIENT_SECURE_FILE", "secure", NULL);
    if (secure_path &&
        (doc_load(&secure, secure_path, err) < 0 ||
         find_cloud(&secure, c->name, 0, &ignored, &node, err) < 0 ||
         (node && read_cloud(&secure, node, c->name, bag, err) < 0)))
        goto out;
    files = secure_path ? xasprintf("'%s' and '%s'", clouds_path, secure_path)
                        : xasprintf("'%s'", clouds_path);
    o = (struct origin){.source = c->source, .cloud = c->name, .files = files};
    rc = resolve(bag, &o, c, err);
out:
    doc_release(&clouds);
    doc_release(&secure);
    odca_buf_release(&looked);
    free(clouds_path);
    free(secure_path);
    free(files);
    free(ignored);
    return rc;
}

int odca_os_cloud_load(const char *name, const char *file,
                       struct odca_os_cloud *out, struct odca_error **err)
{
    struct val bag[N_SLOTS] = {{0}};
    struct odca_os_cloud c = {0};
    const char *os_cloud = getenv("OS_CLOUD");
    size_t i;
    int rc;

    if (!name && os_cloud && *os_cloud)
        name = os_cloud;
    if (name || file)
        rc = load_files(name, file, bag, &c, err);
    else
        rc = load_env(bag, &c, err);
    for (i = 0; i < N_SLOTS; i++)
        wipe_free(bag[i].s);
    if (rc < 0) {
        odca_os_cloud_release(&c);
        return -1;
    }
    *out = c;
    return 0;
}

void odca_os_cloud_release(struct odca_os_cloud *c)
{
    size_t i;

    /* Everything is wiped: cheaper than keeping a list of the secrets. */
    for (i = 0; i < N_FIELDS; i++)
        wipe_free(*(char **)((char *)c + field_of[i]));
    free(c->name);
    free(c->source);
    memset(c, 0, sizeof(*c));
}
