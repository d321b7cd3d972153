/* SPDX-License-Identifier: MIT */
/*
 * The neutral VM spec as libvirt XML, and back: domain XML, volume and
 * snapshot XML, the harness tag in <metadata>, and reading capability
 * documents.  Everything goes through libxml2's tree and XPath (never string
 * pasting), so names with quotes or angle brackets stay data.  Parsing never
 * touches the network, never loads a DTD and refuses a DOCTYPE, so entities
 * are never expanded.
 *
 * Errors: XML libvirt sent that cannot be parsed is ODCA_ERR_REFUSED (the
 * endpoint misbehaved); a spec libvirt cannot express is ODCA_ERR_UNSUPPORTED.
 */
#ifndef ODCA_LIBVIRT_XML_H
#define ODCA_LIBVIRT_XML_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "driver.h"
#include "error.h"
#include "spec.h"

/* The harness tag: <odca:harness> with <odca:run>, <odca:case>, <odca:alias>.
 */
#define ODCA_LIBVIRT_NS_HARNESS "urn:odca-harness:metadata:1"
/* User metadata: <odca-user:metadata> of <odca-user:entry key= value=/>. */
#define ODCA_LIBVIRT_NS_USER "urn:odca-harness:user:1"

/*
 * Domain XML for spec.  domain_type is the <domain type=> ("test", "qemu",
 * "kvm"); for "qemu" and "kvm" a serial console on a pty, no video and no
 * balloon are added.  NICs without a network join default_network ("default"
 * if NULL).  tag may be NULL.  Disks use their path as the source file.
 * Returns a string the caller frees, or NULL (ODCA_ERR_UNSUPPORTED for a disk
 * bus libvirt 9.0 cannot express, ODCA_ERR_INPUT for a spec with no name).
 */
char *odca_libvirt_xml_from_spec(const struct odca_vm_spec *spec,
                                 const char *domain_type,
                                 const char *default_network,
                                 const struct odca_tag *tag,
                                 struct odca_error **err);

/*
 * Read domain XML back into a spec: name, uuid, vcpus, memory, firmware,
 * arch, description, user metadata, disks (device='disk' only: format, bus,
 * serial, path; capacity stays 0, the domain XML does not hold it) and NICs.
 * Caller frees with odca_vm_spec_free().
 */
struct odca_vm_spec *odca_libvirt_spec_from_xml(const char *xml,
                                                struct odca_error **err);

/* The harness tag as read back; strings owned, NULL when absent. */
struct odca_libvirt_tag {
    char *run_id;
    char *case_id;
    char *alias;
};
void odca_libvirt_tag_release(struct odca_libvirt_tag *tag);

/*
 * Read the harness tag from a whole domain XML or from the bare element
 * virDomainGetMetadata returns.  Returns 1 and fills *out (caller releases
 * with odca_libvirt_tag_release()), 0 when the XML carries no tag, -1 on
 * error.
 */
int odca_libvirt_tag_from_xml(const char *xml, struct odca_libvirt_tag *out,
                              struct odca_error **err);

/*
 * A copy of a domain's inactive XML for its clone: new name, no UUID, no
 * MACs (libvirt generates both), no generated interface target names, no
 * NVRAM path; the sources of its device='disk' disks, in document order,
 * replaced by disk_paths (n_paths must equal the number of such disks); the
 * harness tag replaced by tag.  Caller frees.
 */
char *odca_libvirt_xml_clone(const char *xml, const char *new_name,
                             const struct odca_tag *tag,
                             const char *const *disk_paths, size_t n_paths,
                             struct odca_error **err);

/*
 * Cold reconfigure: set <vcpu> and <memory>/<currentMemory> from spec (where
 * non-zero) and append the disks and NICs spec has beyond those the XML
 * holds (disks need their path set).  Caller frees.
 */
/*
 * xml with its disks' sources set to paths[0..n) (a migration's target
 * volumes).  Caller frees.
 */
char *odca_libvirt_xml_disk_paths(const char *xml, const char *const *paths,
                                  size_t n_paths, struct odca_error **err);

char *odca_libvirt_xml_reconfigure(const char *xml,
                                   const struct odca_vm_spec *spec,
                                   const char *default_network,
                                   struct odca_error **err);

/*
 * <volume> for a new volume; format may be NULL.  With backing, a
 * copy-on-write volume over it (of format backing_format), e.g. a qcow2
 * overlay on the probe guest image.  Caller frees.
 */
char *odca_libvirt_xml_volume_backed(const char *name, uint64_t capacity_bytes,
                                     const char *format, const char *backing,
                                     const char *backing_format);
char *odca_libvirt_xml_volume(const char *name, uint64_t capacity_bytes,
                              const char *format);

/* <domainsnapshot> with just a name.  Caller frees. */
char *odca_libvirt_xml_snapshot(const char *name);

/*
 * The distinct string values an XPath expression selects in xml (text of
 * elements, values of attributes), in document order, as a JSON array the
 * caller puts.  NULL on error.
 */
json_object *odca_libvirt_xml_values(const char *xml, const char *xpath,
                                     struct odca_error **err);

/*
 * First value xpath selects in xml, or NULL (also on a parse error, which
 * is then reset).  Caller frees.
 */
char *odca_libvirt_xml_value(const char *xml, const char *xpath);

/*
 * A libvirt scaled integer (virScaleInteger): value with unit ("KiB" if
 * unit is NULL or empty for memory, "b" for bytes ...; k/KiB = 1024, KB =
 * 1000, M/MiB, MB, G/GiB, GB, T/TiB, TB, P/PiB, PB, E/EiB, EB, case
 * insensitive) in bytes.  default_scale applies when unit is NULL or "".
 * Returns 0, or -1 for a bad number, unknown unit or overflow.
 */
int odca_libvirt_parse_scaled(const char *value, const char *unit,
                              uint64_t default_scale, uint64_t *bytes);

/* libvirt's disk target name for bus and index ("vda", "sdb", "hdc"). */
char *odca_libvirt_disk_target(const char *bus, size_t index,
                               struct odca_error **err);

#endif
