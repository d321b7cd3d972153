/* SPDX-License-Identifier: MIT */
/*
 * The one place where untrusted OVF XML is parsed, for the reader and for
 * lint alike: no network, no DTD, no entity substitution, and a DOCTYPE
 * stops the parser before its internal subset is read (XXE, billion
 * laughs); a size cap; the first error, with its line, as one message.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "ovf.h"
#include "util.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

struct parse_state {
    int doctype;
    int line;
    char *message; /* the first error: libxml2 keeps only the last */
};

static void keep_first_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *st = ctxt ? ctxt->_private : NULL;

    if (st && !st->message && e && e->message && e->level >= XML_ERR_ERROR) {
        size_t n = strlen(e->message);

        while (n > 0 && (e->message[n - 1] == '\n' || e->message[n - 1] == '.'))
            n--;
        st->line = e->line;
        st->message = xstrndup(e->message, n);
    }
}

/* A DOCTYPE only brings entities (XXE, billion laughs): stop right there. */
static void refuse_doctype(void *data, const xmlChar *name,
                           const xmlChar *external_id,
                           const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = data;
    struct parse_state *st = ctxt->_private;

    st->doctype = 1;
    xmlStopParser(ctxt);
}

xmlDocPtr odca_ovf_parse_xml(const char *data, size_t len, const char *name,
                             struct odca_error **err)
{
    struct parse_state st = {0, 0, NULL};
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    pthread_once(&init_once, init_libxml);
    if (len > ODCA_OVF_MAX_BYTES) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: descriptor is %zu bytes, more than the %u allowed",
                       name, len, ODCA_OVF_MAX_BYTES);
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "%s: out of memory", name);
        return NULL;
    }
    ctxt->_private = &st;
    ctxt->sax->serror = keep_first_error;
    ctxt->sax->internalSubset = refuse_doctype;
    doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL, opts);
    if (st.doctype || (doc && (doc->intSubset || doc->extSubset))) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: it has a DOCTYPE (DTDs and entities are refused); "
                       "expected a plain OVF envelope",
                       name);
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (!doc) {
        odca_error_set(err, ODCA_ERR_INPUT,
                       "%s: line %d: not well-formed XML: %s", name, st.line,
                       st.message ? st.message : "unknown parse error");
    }
    free(st.message);
    xmlFreeParserCtxt(ctxt);
    return doc;
}
