/* SPDX-License-Identifier: MIT */
/*
 * The vim25 SOAP calls of the vSphere driver, over the HTTP client:
 * RetrieveServiceContent, Login and Logout, SearchIndex.FindByInventoryPath,
 * RetrieveProperties, and methods that return a Task, waited for here.  Not
 * a SOAP client: fixed requests, answers read with XPath.  They exist for
 * what neither libvirt's vpx driver nor the REST API gives:
 *   - the managed object ids REST calls take (a resource pool, a datastore,
 *     a folder, a VM): libvirt resolves them inside and never shows them,
 *     and vcsim 0.24's REST API has no inventory (GET
 *     /rest/vcenter/resource-pool is a 404 there).  FindByInventoryPath
 *     answers on every vCenter since 4.0, so one path serves all;
 *   - a VM's configuration as vCenter holds it (vsphere_hw.c), and the
 *     tasks that change it (vsphere_change.c: CloneVM_Task,
 *     ReconfigVM_Task), which libvirt's vpx driver does not offer.
 *
 * The session cookie and the password are secrets of the HTTP client: no
 * message quotes them.  A session that expired is renewed once.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "vsphere_priv.h"
#include "util.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

/* A SOAP fault: its type ("InvalidLogin") and message, both owned. */
struct fault {
    char *type;
    char *message;
};

static void fault_release(struct fault *f)
{
    free(f->type);
    free(f->message);
    f->type = f->message = NULL;
}

char *odca_vs_xml_escape(const char *s)
{
    struct odca_buf b = {0};

    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            odca_buf_puts(&b, "&amp;");
            break;
        case '<':
            odca_buf_puts(&b, "&lt;");
            break;
        case '>':
            odca_buf_puts(&b, "&gt;");
            break;
        case '"':
            odca_buf_puts(&b, "&quot;");
            break;
        case '\'':
            odca_buf_puts(&b, "&apos;");
            break;
        default:
            odca_buf_add(&b, s, 1);
        }
    }
    return odca_buf_steal(&b);
}

/* The text of the first node xpath selects in doc, or NULL; caller frees. */
static char *first_text(xmlDocPtr doc, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr res =
        ctx ? xmlXPathEvalExpression(BAD_CAST xpath, ctx) : NULL;
    char *text = NULL;

    if (res && res->nodesetval && res->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(res->nodesetval->nodeTab[0]);

        text = xstrdup((const char *)t);
        xmlFree(t);
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    return text;
}

/* Whether xpath selects anything in doc. */
static int first_text_is(xmlDocPtr doc, const char *xpath)
{
    char *t = first_text(doc, xpath);
    int found = t != NULL;

    free(t);
    return found;
}

/* The fault of a SOAP answer: its detail's type and its faultstring. */
static void read_fault(xmlDocPtr doc, struct fault *f)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr res =
        ctx ? xmlXPathEvalExpression(BAD_CAST "//*[local-name()='Fault']/*"
                                              "[local-name()='detail']/*",
                                     ctx)
            : NULL;

    f->message = first_text(doc, "//*[local-name()='Fault']/"
                                 "*[local-name()='faultstring']");
    if (res && res->nodesetval && res->nodesetval->nodeNr > 0) {
        xmlNodePtr n = res->nodesetval->nodeTab[0];
        xmlChar *t = xmlGetNsProp(n, BAD_CAST "type", BAD_CAST XSI_NS);
        size_t len;

        f->type = xstrdup(t ? (const char *)t : (const char *)n->name);
        xmlFree(t);
        len = strlen(f->type);
        if (len > 5 && strcmp(f->type + len - 5, "Fault") == 0)
            f->type[len - 5] = '\0'; /* "InvalidLoginFault" */
    }
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
}

/* The SOAP request of one method call (args: its XML); caller frees. */
static char *envelope(const char *method, const char *args)
{
    return xasprintf(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<soapenv:Envelope "
        "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
        "xmlns:xsi=\"" XSI_NS "\"><soapenv:Body>"
        "<%s xmlns=\"urn:vim25\">%s</%s></soapenv:Body></soapenv:Envelope>",
        method, args, method);
}

/*
 * POST one method call to /sdk.  0 and *doc (caller frees) for an answer;
 * -1 with err set otherwise, and for a SOAP fault its type and message in
 * *f too (caller releases).
 */
static int vim_send(struct odca_conn *c, const char *method, const char *args,
                    unsigned flags, xmlDocPtr *doc, struct fault *f,
                    struct odca_http_reply *keep, struct odca_error **err)
{
    static const char *const headers[] = {"SOAPAction: urn:vim25/6.5",
                                          "Accept: text/xml", NULL};
    struct odca_http_request rq = {0};
    struct odca_http_reply reply = {0};
    char *body = envelope(method, args);
    xmlDocPtr d = NULL;
    int rc = -1;

    rq.method = "POST";
    rq.path = "/sdk";
    rq.headers = headers;
    rq.data = body;
    rq.len = strlen(body);
    rq.content_type = "text/xml; charset=utf-8";
    rq.flags = ODCA_HTTP_REPEATABLE | flags;
    if (odca_http_client_send(c->vim, &rq, &reply, err) < 0)
        goto out;
    if (reply.status == 200 || reply.status == 500)
        d = xmlReadMemory(reply.body, (int)reply.len, "sdk", NULL,
                          XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING);
    if (reply.status == 500 && d) {
        read_fault(d, f);
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "endpoint '%s': POST /sdk %s: %s%s%s%s", c->endpoint,
                       method, f->message && *f->message ? f->message : "fault",
                       f->type ? " (" : "", f->type ? f->type : "",
                       f->type ? ")" : "");
        goto out;
    }
    if (odca_http_reply_check(&reply, err) < 0)
        goto out;
    if (!d) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': POST /sdk %s answered HTTP %ld with "
                       "no SOAP document",
                       c->endpoint, method, reply.status);
        goto out;
    }
    *doc = d;
    d = NULL;
    if (keep) { /* the caller reads its headers */
        *keep = reply;
        memset(&reply, 0, sizeof(reply));
    }
    rc = 0;
out:
    if (d)
        xmlFreeDoc(d);
    explicit_bzero(body, strlen(body)); /* a Login holds the password */
    free(body);
    odca_http_reply_release(&reply);
    return rc;
}

/* Keep the session cookie of a Login answer as a secret header. */
static int keep_cookie(struct odca_conn *c, const struct odca_http_reply *r,
                       struct odca_error **err)
{
    const char *set = odca_http_reply_header(r, "Set-Cookie");
    size_t n = set ? strcspn(set, ";") : 0;
    char *cookie;
    int rc;

    if (!set || !odca_starts_with(set, "vmware_soap_session=")) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': POST /sdk Login answered without a "
                       "vmware_soap_session cookie",
                       c->endpoint);
        return -1;
    }
    cookie = xstrndup(set, n);
    /* the value alone, quoted and not, is redacted from messages too */
    odca_http_client_add_secret(c->vim,
                                cookie + strlen("vmware_soap_session="));
    if (cookie[strlen("vmware_soap_session=")] == '"') {
        char *bare = xstrdup(cookie + strlen("vmware_soap_session=\""));

        bare[strcspn(bare, "\"")] = '\0';
        odca_http_client_add_secret(c->vim, bare);
        explicit_bzero(bare, strlen(bare));
        free(bare);
    }
    rc = odca_http_client_set_secret_header(c->vim, "Cookie", cookie, err);
    explicit_bzero(cookie, strlen(cookie));
    free(cookie);
    return rc;
}

static void read_about(struct odca_conn *c, xmlDocPtr doc)
{
#define ABOUT(field)                                                           \
    "//*[local-name()='returnval']/*[local-name()='about']/"                   \
    "*[local-name()='" field "']"
    c->about.name = first_text(doc, ABOUT("name"));
    c->about.full_name = first_text(doc, ABOUT("fullName"));
    c->about.version = first_text(doc, ABOUT("version"));
    c->about.api_version = first_text(doc, ABOUT("apiVersion"));
    c->about.api_type = first_text(doc, ABOUT("apiType"));
#undef ABOUT
#define SC(field) "//*[local-name()='returnval']/*[local-name()='" field "']"
    c->search_index = first_text(doc, SC("searchIndex"));
    c->session_manager = first_text(doc, SC("sessionManager"));
    c->property_collector = first_text(doc, SC("propertyCollector"));
#undef SC
}

/* Login with the endpoint's credentials; c->lock held or c not shared. */
static int login_locked(struct odca_conn *c, struct odca_error **err)
{
    struct odca_http_reply reply = {0};
    struct fault f = {0};
    struct odca_error *e = NULL;
    xmlDocPtr doc = NULL;
    char *user = odca_vs_xml_escape(c->creds.authname);
    char *pw = odca_vs_xml_escape(c->creds.password);
    char *sm = odca_vs_xml_escape(c->session_manager);
    char *args = xasprintf("<_this type=\"SessionManager\">%s</_this>"
                           "<userName>%s</userName><password>%s</password>",
                           sm, user, pw);
    int rc = -1;

    if (c->creds.password)
        odca_http_client_add_secret(c->vim, c->creds.password);
    if (vim_send(c, "Login", args, ODCA_HTTP_SECRET_ANSWER, &doc, &f, &reply,
                 &e) < 0) {
        if (f.type && strcmp(f.type, "InvalidLogin") == 0) {
            odca_error_set(err, ODCA_ERR_ENDPOINT,
                           "authentication failed for endpoint %s: vCenter "
                           "refused the login of user '%s' (%s)",
                           c->endpoint,
                           c->creds.authname ? c->creds.authname : "",
                           f.message ? f.message : "InvalidLogin");
            odca_error_free(e);
        } else {
            odca_error_propagate(err, e);
        }
        goto out;
    }
    if (keep_cookie(c, &reply, err) < 0)
        goto out;
    c->vim_logged_in = 1;
    c->vim_gen++;
    rc = 0;
out:
    fault_release(&f);
    if (doc)
        xmlFreeDoc(doc);
    odca_http_reply_release(&reply);
    explicit_bzero(pw, strlen(pw));
    explicit_bzero(args, strlen(args));
    free(user);
    free(pw);
    free(sm);
    free(args);
    return rc;
}

int odca_vs_vim_login(struct odca_conn *c, struct odca_error **err)
{
    struct fault f = {0};
    xmlDocPtr doc = NULL;
    int rc = -1;

    if (vim_send(c, "RetrieveServiceContent",
                 "<_this type=\"ServiceInstance\">ServiceInstance</_this>", 0,
                 &doc, &f, NULL, err) < 0)
        goto out;
    read_about(c, doc);
    if (!c->search_index || !c->session_manager || !c->property_collector) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': POST /sdk RetrieveServiceContent "
                       "answered without a search index, session manager or "
                       "property collector",
                       c->endpoint);
        goto out;
    }
    pthread_mutex_lock(&c->lock);
    rc = login_locked(c, err);
    pthread_mutex_unlock(&c->lock);
out:
    fault_release(&f);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}

void odca_vs_vim_logout(struct odca_conn *c)
{
    struct odca_error *ignored = NULL;
    struct fault f = {0};
    xmlDocPtr doc = NULL;
    char *sm, *args;

    if (!c->vim || !c->vim_logged_in)
        return;
    sm = odca_vs_xml_escape(c->session_manager);
    args = xasprintf("<_this type=\"SessionManager\">%s</_this>", sm);
    if (vim_send(c, "Logout", args, 0, &doc, &f, NULL, &ignored) == 0)
        xmlFreeDoc(doc);
    odca_error_free(ignored);
    fault_release(&f);
    odca_http_client_set_secret_header(c->vim, "Cookie", NULL, NULL);
    c->vim_logged_in = 0;
    free(sm);
    free(args);
}

/* vim_send in the session, logging in again once if it expired. */
static int vim_call(struct odca_conn *c, const char *method, const char *args,
                    xmlDocPtr *doc, struct fault *f, struct odca_error **err)
{
    struct odca_error *e = NULL;
    unsigned gen;
    int rc;

    pthread_mutex_lock(&c->lock);
    gen = c->vim_gen;
    pthread_mutex_unlock(&c->lock);
    if (vim_send(c, method, args, 0, doc, f, NULL, &e) == 0)
        return 0;
    if (!f->type || strcmp(f->type, "NotAuthenticated") != 0) {
        odca_error_propagate(err, e);
        return -1;
    }
    odca_error_free(e);
    fault_release(f);
    pthread_mutex_lock(&c->lock);
    rc = c->vim_gen == gen ? login_locked(c, err) : 0;
    pthread_mutex_unlock(&c->lock);
    if (rc < 0)
        return -1;
    return vim_send(c, method, args, 0, doc, f, NULL, err);
}

/* An inventory path segment: '%' and '/' escaped as FindByInventoryPath
   wants them. */
static void add_segment(struct odca_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '%')
            odca_buf_puts(b, "%25");
        else if (*s == '/')
            odca_buf_puts(b, "%2f");
        else
            odca_buf_add(b, s, 1);
    }
}

int odca_vs_vim_find(struct odca_conn *c, const char *const *segments,
                     char **id, struct odca_error **err)
{
    struct odca_buf path = {0};
    struct fault f = {0};
    xmlDocPtr doc = NULL;
    char *si = odca_vs_xml_escape(c->search_index), *p, *args;
    int rc = -1;

    for (size_t i = 0; segments[i]; i++) {
        if (i)
            odca_buf_puts(&path, "/");
        add_segment(&path, segments[i]);
    }
    p = odca_vs_xml_escape(path.data ? path.data : "");
    args = xasprintf("<_this type=\"SearchIndex\">%s</_this>"
                     "<inventoryPath>%s</inventoryPath>",
                     si, p);
    if (vim_call(c, "FindByInventoryPath", args, &doc, &f, err) < 0)
        goto out;
    *id = first_text(doc, "//*[local-name()='returnval']");
    rc = *id && **id ? 1 : 0;
    if (!rc) {
        free(*id);
        *id = NULL;
    }
out:
    fault_release(&f);
    if (doc)
        xmlFreeDoc(doc);
    odca_buf_release(&path);
    free(si);
    free(p);
    free(args);
    return rc;
}

/* "<propSet><type>T</type><pathSet>P</pathSet>...</propSet>" for props. */
static char *prop_set(const char *type, const char *const *props)
{
    struct odca_buf b = {0};
    char *t = odca_vs_xml_escape(type);

    odca_buf_printf(&b, "<propSet><type>%s</type>", t);
    for (size_t i = 0; props[i]; i++) {
        char *p = odca_vs_xml_escape(props[i]);

        odca_buf_printf(&b, "<pathSet>%s</pathSet>", p);
        free(p);
    }
    odca_buf_puts(&b, "</propSet>");
    free(t);
    return odca_buf_steal(&b);
}

int odca_vs_vim_retrieve(struct odca_conn *c, const char *type, const char *id,
                         const char *const *props, xmlDocPtr *doc,
                         struct odca_error **err)
{
    struct odca_error *e = NULL;
    struct fault f = {0};
    char *pc = odca_vs_xml_escape(c->property_collector);
    char *t = odca_vs_xml_escape(type), *i = odca_vs_xml_escape(id);
    char *set = prop_set(type, props);
    char *args = xasprintf("<_this type=\"PropertyCollector\">%s</_this>"
                           "<specSet>%s<objectSet><obj type=\"%s\">%s</obj>"
                           "</objectSet></specSet>",
                           pc, set, t, i);
    int rc = -1;

    *doc = NULL;
    if (vim_call(c, "RetrieveProperties", args, doc, &f, &e) < 0) {
        if (f.type && strcmp(f.type, "ManagedObjectNotFound") == 0) {
            odca_error_free(e); /* deleted meanwhile */
            rc = 0;
        } else {
            odca_error_propagate(err, e);
        }
        goto out;
    }
    if (first_text_is(*doc, "//*[local-name()='returnval']")) {
        rc = 1;
    } else {
        xmlFreeDoc(*doc);
        *doc = NULL;
        rc = 0;
    }
out:
    fault_release(&f);
    free(pc);
    free(t);
    free(i);
    free(set);
    free(args);
    return rc;
}

char *odca_vs_vim_value(xmlDocPtr doc, const char *property)
{
    char *xpath = xasprintf("//*[local-name()='propSet'][*[local-name()="
                            "'name']='%s']/*[local-name()='val']",
                            property);
    char *text = first_text(doc, xpath);

    free(xpath);
    return text;
}

xmlNodePtr odca_vs_vim_node(xmlDocPtr doc, const char *property)
{
    char *xpath = xasprintf("//*[local-name()='propSet'][*[local-name()="
                            "'name']='%s']/*[local-name()='val']",
                            property);
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr res =
        ctx ? xmlXPathEvalExpression(BAD_CAST xpath, ctx) : NULL;
    xmlNodePtr node = NULL;

    if (res && res->nodesetval && res->nodesetval->nodeNr > 0)
        node = res->nodesetval->nodeTab[0];
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    free(xpath);
    return node;
}

int odca_vs_vim_property(struct odca_conn *c, const char *type, const char *id,
                         const char *property, char **value,
                         struct odca_error **err)
{
    const char *props[] = {property, NULL};
    xmlDocPtr doc = NULL;
    int rc = odca_vs_vim_retrieve(c, type, id, props, &doc, err);

    if (rc <= 0)
        return rc;
    *value = odca_vs_vim_value(doc, property);
    if (!*value) {
        /* the object is there, the property is not (a missingSet) */
        char *why = first_text(doc, "//*[local-name()='missingSet']/"
                                    "*[local-name()='fault']/*/@*"
                                    "[local-name()='type']");

        odca_error_set(err, ODCA_ERR_REFUSED,
                       "endpoint '%s': POST /sdk RetrieveProperties: %s %s "
                       "has no property '%s' (%s)",
                       c->endpoint, type, id, property, why ? why : "missing");
        free(why);
        rc = -1;
    }
    xmlFreeDoc(doc);
    return rc;
}

/*
 * A method the endpoint does not implement (vcsim's NotImplemented, a
 * vCenter's NotSupported) is its lack, a SKIP: say so.
 */
static void lack_of(struct odca_conn *c, const char *method,
                    const struct fault *f, struct odca_error *e)
{
    char *m;

    if (!e || !f->type ||
        (strcmp(f->type, "NotImplemented") != 0 &&
         strcmp(f->type, "NotSupported") != 0))
        return;
    m = xasprintf("endpoint %s lacks %s: %s", c->endpoint, method, e->message);
    free(e->message);
    e->message = m;
    e->kind = ODCA_ERR_UNSUPPORTED;
}

int odca_vs_vim_invoke(struct odca_conn *c, const char *method,
                       const char *args, xmlDocPtr *doc,
                       struct odca_error **err)
{
    struct odca_error *e = NULL;
    struct fault f = {0};
    int rc = vim_call(c, method, args, doc, &f, &e);

    if (rc < 0) {
        lack_of(c, method, &f, e);
        odca_error_propagate(err, e);
    }
    fault_release(&f);
    return rc;
}

/* A task's end: its result (a moref, or NULL) or its error. */
static int task_outcome(struct odca_conn *c, const char *method, xmlDocPtr doc,
                        const char *state, char **result,
                        struct odca_error **err)
{
    struct fault f = {0};
    struct odca_error *e = NULL;

    if (strcmp(state, "success") == 0) {
        if (result)
            *result = odca_vs_vim_value(doc, "info.result");
        return 0;
    }
    f.type = first_text(doc, "//*[local-name()='val']/*[local-name()="
                             "'fault']/@*[local-name()='type']");
    f.message = first_text(doc, "//*[local-name()='val']/*[local-name()="
                                "'localizedMessage']");
    if (f.type && strchr(f.type, ':')) { /* "vim25:NotSupported" */
        char *bare = xstrdup(strchr(f.type, ':') + 1);

        free(f.type);
        f.type = bare;
    }
    odca_error_set(&e, ODCA_ERR_REFUSED, "endpoint '%s': %s failed: %s%s%s%s",
                   c->endpoint, method,
                   f.message && *f.message ? f.message : "no message",
                   f.type ? " (" : "", f.type ? f.type : "", f.type ? ")" : "");
    lack_of(c, method, &f, e);
    odca_error_propagate(err, e);
    fault_release(&f);
    return -1;
}

int odca_vs_vim_task(struct odca_conn *c, const char *method, const char *args,
                     char **result, struct odca_error **err)
{
    static const char *const props[] = {"info.state", "info.error",
                                        "info.result", NULL};
    int64_t deadline = odca_vs_deadline(c), pause = 100;
    xmlDocPtr doc = NULL;
    char *task = NULL, *state = NULL;
    int rc = -1, found;

    if (result)
        *result = NULL;
    if (odca_vs_vim_invoke(c, method, args, &doc, err) < 0)
        goto out;
    task = first_text(doc, "//*[local-name()='returnval']");
    xmlFreeDoc(doc);
    doc = NULL;
    if (!task || !*task) {
        odca_error_set(err, ODCA_ERR_ENDPOINT,
                       "endpoint '%s': POST /sdk %s answered without a task",
                       c->endpoint, method);
        goto out;
    }
    for (;;) {
        if ((found = odca_vs_vim_retrieve(c, "Task", task, props, &doc, err)) <
            0)
            goto out;
        if (!found) {
            odca_error_set(err, ODCA_ERR_ENDPOINT,
                           "endpoint '%s': task %s of %s vanished", c->endpoint,
                           task, method);
            goto out;
        }
        free(state);
        state = odca_vs_vim_value(doc, "info.state");
        if (state &&
            (strcmp(state, "success") == 0 || strcmp(state, "error") == 0)) {
            rc = task_outcome(c, method, doc, state, result, err);
            goto out;
        }
        xmlFreeDoc(doc);
        doc = NULL;
        if (odca_now_mono_ms() + pause > deadline) {
            odca_error_set(err, ODCA_ERR_TIMEOUT,
                           "endpoint '%s': %s (task %s) still %s after %d s",
                           c->endpoint, method, task,
                           state ? state : "without a state", c->op_timeout_s);
            goto out;
        }
        odca_sleep_ms(pause);
        if (pause < 1000)
            pause *= 2;
    }
out:
    if (doc)
        xmlFreeDoc(doc);
    free(task);
    free(state);
    return rc;
}

int odca_vs_vm_id(struct odca_conn *c, const char *vm, char **id,
                  struct odca_error **err)
{
    const char *path[] = {c->datacenter, "vm", vm, NULL};

    return odca_vs_vim_find(c, path, id, err);
}
