/* SPDX-License-Identifier: MIT */
/*
 * Waivers: known issues a vendor or an enterprise has accepted for now.  A
 * waiver names a case (id or glob), where it applies (an endpoint, or a
 * pair "SOURCE -> TARGET", as a glob), why, a reference (ticket, bug) and
 * the last day it is valid.  A FAIL it matches becomes WAIVED, never PASS;
 * an expired one no longer applies and the case says so.
 *
 * The file (--waivers FILE):
 *   {"format": 1, "waivers": [{"case": "PORT-08", "where": "openstack -> *",
 *     "reason": "...", "reference": "https://...", "expires": "2027-03-31"}]}
 */
#ifndef ODCA_WAIVER_H
#define ODCA_WAIVER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "result.h"

#define ODCA_WAIVER_FORMAT 1

struct odca_waiver {
    char *case_glob;  /* fnmatch glob on case ids */
    char *where_glob; /* fnmatch glob on "endpoint" or "source -> target" */
    char *reason;
    char *reference;
    char *expires;    /* "YYYY-MM-DD", valid through that day (UTC) */
    int64_t expires_end_ms; /* first ms after that day */
    unsigned matched; /* cases it matched (any verdict) */
    unsigned waived;  /* FAILs it turned into WAIVED */
};

struct odca_waivers {
    char *file;   /* as given */
    char *sha256; /* of the file as read */
    struct odca_waiver *items;
    size_t n;
};

/*
 * Load and validate a waivers file (caller frees with odca_waivers_free).
 * Every problem is one ODCA_ERR_INPUT line naming the file and the place
 * ("w.json: waivers[2].expires: expected a date YYYY-MM-DD, got ...").
 */
struct odca_waivers *odca_waivers_load(const char *path,
                                       struct odca_error **err);
/* The same from text; name is what errors call it. */
struct odca_waivers *odca_waivers_parse(const char *text, size_t len,
                                        const char *name,
                                        struct odca_error **err);
void odca_waivers_free(struct odca_waivers *w);

/*
 * Apply to one decided case of a run started at run_started_ms (expiry is
 * judged against the run, so re-rendering an old result gives the same
 * verdicts).  A FAIL matched by a valid waiver becomes WAIVED and c->waiver
 * records it; a FAIL matched only by expired ones stays FAIL, records the
 * latest of them with expired set and says so in its reasons.  Other
 * verdicts are left alone (counted as matched, for the run's notes).
 * Not thread-safe: the caller serialises calls on the same w.
 */
void odca_waivers_apply(struct odca_waivers *w, struct odca_case_result *c,
                        int64_t run_started_ms);

/*
 * Take every waiver off a stored run, so another waivers file can be
 * applied: WAIVED cases are FAIL again, the expired-waiver reasons go, and
 * so do the run's waivers file and notes.
 */
void odca_waivers_reset(struct odca_run_result *run);

/*
 * Add run->waiver_notes: waivers that matched no case, and waivers that
 * matched cases without waiving any (the issue may be fixed: the waiver
 * can go).  Also records run->waivers_file and its digest.
 */
void odca_waivers_notes(const struct odca_waivers *w,
                        struct odca_run_result *run);

#endif
