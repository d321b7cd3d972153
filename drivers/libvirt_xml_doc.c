/* SPDX-License-Identifier: MIT */
/*
 * libxml2 plumbing for the libvirt XML mapping.  Parsing is the one place
 * where untrusted XML enters, so it is done here once, with the network,
 * DTDs and entity substitution off and a DOCTYPE refused outright; and text
 * is always set as raw data so that no value is ever parsed as markup.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpathInternals.h>

#include "libvirt_xml.h"
#include "libvirt_xml_priv.h"
#include "util.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    /* libxml2 2.9 wants this before it is used from several threads. */
    xmlInitParser();
}

/* The first error of a parse: libxml2 keeps only the last one. */
struct first_error {
    int line;
    char *message;
};

static void keep_first_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    struct first_error *first = ctxt ? ctxt->_private : NULL;

    if (first && !first->message && e && e->message &&
        e->level >= XML_ERR_ERROR) {
        first->line = e->line;
        first->message = xstrdup(e->message);
    }
}

static char *parse_error_message(xmlParserCtxtPtr ctxt,
                                 const struct first_error *first)
{
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    char *msg;
    size_t n;

    if (first->message)
        msg = xasprintf("line %d: %s", first->line, first->message);
    else if (e && e->message)
        msg = xasprintf("line %d: %s", e->line, e->message);
    else
        return xstrdup("unknown parse error");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
        msg[--n] = '\0';
    return msg;
}

xmlDocPtr odca_lvx_parse(const char *xml, const char *what,
                         struct odca_error **err)
{
    struct first_error first = {0, NULL};
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    char *msg = NULL;
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    pthread_once(&init_once, init_libxml);
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot parse %s: %s", what,
                       "out of memory");
        return NULL;
    }
    ctxt->_private = &first;
    ctxt->sax->serror = keep_first_error;
    doc = xmlCtxtReadMemory(ctxt, xml ? xml : "", xml ? (int)strlen(xml) : 0,
                            "libvirt.xml", NULL, opts);
    if (!doc) {
        msg = parse_error_message(ctxt, &first);
        odca_error_set(err, ODCA_ERR_REFUSED, "cannot parse %s: %s", what, msg);
    } else if (doc->intSubset || doc->extSubset) {
        /* libvirt never sends one; a DOCTYPE only brings entities. */
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "cannot parse %s: it has a DOCTYPE, which is refused",
                       what);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    free(msg);
    free(first.message);
    xmlFreeParserCtxt(ctxt);
    return doc;
}

xmlDocPtr odca_lvx_parse_domain(const char *xml, struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse(xml, "domain XML", err);
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, BAD_CAST_C("domain"))) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "domain XML has root element <%s> instead of <domain>",
                       root ? (const char *)root->name : "");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

xmlXPathContextPtr odca_lvx_context(xmlDocPtr doc)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);

    if (!ctx) {
        fprintf(stderr, "odca-harness: out of memory in libxml2\n");
        abort();
    }
    xmlXPathRegisterNs(ctx, BAD_CAST_C("odca"),
                       BAD_CAST_C(ODCA_LIBVIRT_NS_HARNESS));
    xmlXPathRegisterNs(ctx, BAD_CAST_C("odca-user"),
                       BAD_CAST_C(ODCA_LIBVIRT_NS_USER));
    return ctx;
}

xmlXPathObjectPtr odca_lvx_eval(xmlXPathContextPtr ctx, xmlNodePtr node,
                                const char *xpath)
{
    xmlXPathObjectPtr obj;

    ctx->node = node ? node : (xmlNodePtr)ctx->doc;
    obj = xmlXPathEvalExpression(BAD_CAST_C(xpath), ctx);
    if (obj && obj->type == XPATH_NODESET)
        return obj;
    xmlXPathFreeObject(obj);
    return xmlXPathNewNodeSet(NULL);
}

int odca_lvx_count(xmlXPathObjectPtr obj)
{
    return obj && obj->nodesetval ? obj->nodesetval->nodeNr : 0;
}

xmlNodePtr odca_lvx_node(xmlXPathContextPtr ctx, xmlNodePtr node,
                         const char *xpath)
{
    xmlXPathObjectPtr obj = odca_lvx_eval(ctx, node, xpath);
    xmlNodePtr found = NULL;

    if (odca_lvx_count(obj) > 0)
        found = obj->nodesetval->nodeTab[0];
    xmlXPathFreeObject(obj);
    return found;
}

char *odca_lvx_content(xmlNodePtr node)
{
    xmlChar *text = xmlNodeGetContent(node);
    char *copy = xstrdup(text ? (const char *)text : "");

    xmlFree(text);
    return copy;
}

char *odca_lvx_string(xmlXPathContextPtr ctx, xmlNodePtr node,
                      const char *xpath)
{
    xmlNodePtr found = odca_lvx_node(ctx, node, xpath);

    return found ? odca_lvx_content(found) : NULL;
}

void odca_lvx_remove(xmlXPathContextPtr ctx, xmlNodePtr node, const char *xpath)
{
    xmlXPathObjectPtr obj = odca_lvx_eval(ctx, node, xpath);
    int i, n = odca_lvx_count(obj);
    xmlNodePtr *nodes = xcalloc((size_t)n + 1, sizeof(*nodes));

    /* Freeing the node set reads its nodes, so free them only after it;
     * unlink them all first so that a nested match is freed only once. */
    for (i = 0; i < n; i++)
        nodes[i] = obj->nodesetval->nodeTab[i];
    xmlXPathFreeObject(obj);
    for (i = 0; i < n; i++)
        xmlUnlinkNode(nodes[i]);
    for (i = 0; i < n; i++)
        xmlFreeNode(nodes[i]);
    free(nodes);
}

void odca_lvx_set_text(xmlNodePtr node, const char *text)
{
    xmlNodePtr child;

    while ((child = node->children) != NULL) {
        xmlUnlinkNode(child);
        xmlFreeNode(child);
    }
    /* xmlNodeAddContent takes raw text; xmlNodeSetContent parses '&'. */
    xmlNodeAddContent(node, BAD_CAST_C(text));
}

char *odca_lvx_dump(xmlDocPtr doc)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *out;

    if (!buf) {
        fprintf(stderr, "odca-harness: out of memory in libxml2\n");
        abort();
    }
    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
    out = xasprintf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

json_object *odca_libvirt_xml_values(const char *xml, const char *xpath,
                                     struct odca_error **err)
{
    xmlDocPtr doc = odca_lvx_parse(xml, "capabilities XML", err);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr obj;
    json_object *arr;
    int i;

    if (!doc)
        return NULL;
    ctx = odca_lvx_context(doc);
    obj = odca_lvx_eval(ctx, NULL, xpath);
    arr = json_object_new_array();
    for (i = 0; i < odca_lvx_count(obj); i++) {
        char *v = odca_lvx_content(obj->nodesetval->nodeTab[i]);
        size_t j, n = json_object_array_length(arr);

        for (j = 0; j < n; j++)
            if (strcmp(
                    json_object_get_string(json_object_array_get_idx(arr, j)),
                    v) == 0)
                break;
        if (j == n && *v)
            json_object_array_add(arr, json_object_new_string(v));
        free(v);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return arr;
}

char *odca_libvirt_xml_value(const char *xml, const char *xpath)
{
    struct odca_error *e = NULL;
    xmlDocPtr doc = odca_lvx_parse(xml, "XML", &e);
    xmlXPathContextPtr ctx;
    char *v;

    if (!doc) {
        odca_error_free(e);
        return NULL;
    }
    ctx = odca_lvx_context(doc);
    v = odca_lvx_string(ctx, NULL, xpath);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return v;
}
