/* SPDX-License-Identifier: MIT */
/*
 * libxml2 plumbing shared by libvirt_xml.c (writing and editing) and
 * libvirt_xml_read.c (reading): safe parsing, XPath with the harness
 * namespaces registered, text nodes that are always raw data, serialising.
 * Only the libvirt_xml*.c files include this.
 */
#ifndef ODCA_LIBVIRT_XML_PRIV_H
#define ODCA_LIBVIRT_XML_PRIV_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "error.h"

/* The disks the spec covers: cdroms, floppies and LUNs are not disks. */
#define LVX_DISKS "/domain/devices/disk[not(@device) or @device='disk']"
#define LVX_NICS "/domain/devices/interface"

#define BAD_CAST_C(s) ((const xmlChar *)(s))

/*
 * Parse xml (what names it in errors: "domain XML").  No network, no DTD,
 * no entity substitution, and a document with a DOCTYPE is refused.
 * Caller frees with xmlFreeDoc(); NULL with ODCA_ERR_REFUSED on error.
 */
xmlDocPtr odca_lvx_parse(const char *xml, const char *what,
                         struct odca_error **err);

/*
 * Parse a document whose root must be <domain>.  Caller frees with
 * xmlFreeDoc().
 */
xmlDocPtr odca_lvx_parse_domain(const char *xml, struct odca_error **err);

/*
 * An XPath context for doc with the prefixes "odca" and "odca-user" bound
 * to the harness namespaces.  Caller frees with xmlXPathFreeContext().
 */
xmlXPathContextPtr odca_lvx_context(xmlDocPtr doc);

/*
 * The node set xpath selects, relative to node (NULL: the document).
 * Never NULL; caller frees with xmlXPathFreeObject().  An invalid
 * expression (a bug) yields an empty set.
 */
xmlXPathObjectPtr odca_lvx_eval(xmlXPathContextPtr ctx, xmlNodePtr node,
                                const char *xpath);

/* Number of nodes in an odca_lvx_eval() result. */
int odca_lvx_count(xmlXPathObjectPtr obj);

/* First node xpath selects, or NULL; borrowed from the document. */
xmlNodePtr odca_lvx_node(xmlXPathContextPtr ctx, xmlNodePtr node,
                         const char *xpath);

/*
 * Text of the first node xpath selects (element text or attribute value),
 * or NULL when nothing matches.  Caller frees with free().
 */
char *odca_lvx_string(xmlXPathContextPtr ctx, xmlNodePtr node,
                      const char *xpath);

/* Text content of node as a malloc'ed string; caller frees. */
char *odca_lvx_content(xmlNodePtr node);

/* Unlink and free every node xpath selects. */
void odca_lvx_remove(xmlXPathContextPtr ctx, xmlNodePtr node,
                     const char *xpath);

/* Replace node's children with one text node holding raw text. */
void odca_lvx_set_text(xmlNodePtr node, const char *text);

/* Serialise the root element (no XML declaration); caller frees. */
char *odca_lvx_dump(xmlDocPtr doc);

#endif
