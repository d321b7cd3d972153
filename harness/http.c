/* SPDX-License-Identifier: MIT */
/* HTTP over libcurl, with the limits every caller needs (see http.h). */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "http_client.h"
#include "util.h"

struct sink {
    struct odca_buf buf;
    size_t max;
    int too_big;
};

static size_t on_data(char *data, size_t size, size_t n, void *opaque)
{
    struct sink *s = opaque;

    if (s->buf.len + size * n > s->max) {
        s->too_big = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    odca_buf_add(&s->buf, data, size * n);
    return size * n;
}

int odca_http_get(const char *url, long timeout_ms, size_t max_bytes,
                  struct odca_http_response *resp, struct odca_error **err)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct sink sink = {.max = max_bytes};
    CURL *curl;
    CURLcode rc;
    int ret = -1;

    odca_http_client_global_init();
    memset(resp, 0, sizeof(*resp));
    if (!(curl = curl_easy_init())) {
        odca_error_set(err, ODCA_ERR_INTERNAL, "cannot initialize libcurl");
        return -1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    rc = curl_easy_perform(curl);
    if (sink.too_big) {
        odca_error_set(err, ODCA_ERR_REFUSED,
                       "GET '%s': answer larger than %zu bytes", url,
                       max_bytes);
    } else if (rc != CURLE_OK) {
        odca_error_set(err,
                       rc == CURLE_OPERATION_TIMEDOUT ? ODCA_ERR_TIMEOUT
                                                      : ODCA_ERR_ENDPOINT,
                       "GET '%s': %s", url,
                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
        resp->len = sink.buf.len;
        resp->body = odca_buf_steal(&sink.buf);
        ret = 0;
    }
    odca_buf_release(&sink.buf);
    curl_easy_cleanup(curl);
    return ret;
}

void odca_http_response_release(struct odca_http_response *resp)
{
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}
