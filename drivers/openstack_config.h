/* SPDX-License-Identifier: MIT */
/*
 * An OpenStack cloud's connection settings, taken from where OpenStack users
 * already keep them, so that nobody writes a second copy for the harness:
 * clouds.yaml (with secure.yaml merged over it) or the OS_* variables of an
 * openrc file.  The rules follow openstacksdk's where a user would notice
 * (search order, key aliases, domain_name applying to both domains, the
 * first of "regions"); the differences are listed below.  Nothing here
 * talks to the cloud: the driver does that with these settings.
 *
 * Files.  With no file given, clouds.yaml is the first that exists of
 * $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, $XDG_CONFIG_HOME/openstack/,
 * ~/.config/openstack/ and /etc/openstack/ (".yml" is tried after ".yaml"
 * in each directory).  secure.yaml is searched the same way
 * ($OS_CLIENT_SECURE_FILE first), also when a file is given, as
 * openstacksdk does; its settings for the cloud win over clouds.yaml's,
 * key by key inside "auth" too.  A file must be a regular file of at most
 * 1 MiB holding one YAML document whose top is a mapping.  A file that
 * holds the loaded cloud's password or application credential secret must
 * not be readable by group or others (chmod 600), like the harness
 * config's auth_file.
 *
 * Values.  Any scalar style is a string; "~", "null" and an empty plain
 * value count as not set.  Keys may be written with '-' for '_'.  Auth
 * keys are read from the cloud's "auth" mapping and, as openstacksdk
 * does, from the cloud itself (auth wins).  tenant_name and tenant_id are
 * legacy aliases of project_name and project_id, endpoint_type of
 * interface; the current key wins.  Anchors, aliases and merge keys
 * ("<<: *base") work as in PyYAML.  Keys this module does not use are
 * ignored: real files hold many.
 *
 * Differences from openstacksdk, on purpose: vendor profiles ("profile:")
 * are not expanded; a cloud is looked up in clouds.yaml only (secure.yaml
 * adds to it, it cannot define one); with a cloud named, no OS_* variable
 * overrides the file; auth types are limited to the two below.
 */
#ifndef ODCA_OPENSTACK_CONFIG_H
#define ODCA_OPENSTACK_CONFIG_H

#include "error.h"

/* Every string is owned by the struct (NULL when not set). */
struct odca_os_cloud {
    char *name;      /* the cloud's name in clouds.yaml, or "environment" */
    char *source;    /* for messages: "'/path/clouds.yaml', cloud 'x'" or
                        "OS_* environment" */
    char *auth_type; /* "password" ("v3password" is folded into it) or
                        "v3applicationcredential" */
    char *auth_url;  /* as given; the driver appends /v3 if missing */
    /*
     * With a username (password auth, or an application credential by
     * name), a user domain is always set: the one given, else
     * domain_name/domain_id, else user_domain_name "Default".  The same
     * for the project domain when a project_name is given.  openstacksdk
     * sets no default and keystone then refuses the token request with a
     * message that does not say why; "Default" is the domain every
     * keystone has, and the one openrc files of single-domain clouds name
     * anyway.
     */
    char *username, *user_id, *user_domain_name, *user_domain_id;
    char *password; /* secret: never put in any message */
    char *application_credential_id, *application_credential_name;
    char *application_credential_secret; /* secret */
    char *project_name, *project_id, *project_domain_name, *project_domain_id;
    char *domain_name, *domain_id; /* as given (already applied above) */
    char *region_name;         /* region_name, else the first of "regions", else
                                  NULL: the first region the catalog offers */
    char *interface;           /* "public" (default), "internal" or "admin";
                                  "publicURL" style is folded into these */
    char *cacert;              /* CA file path, as given (a relative path is
                                  relative to the working directory, as for
                                  openstacksdk; "~/" is expanded), or NULL */
    int insecure;              /* 1 when verify: false, insecure: true or
                                  OS_INSECURE=true: certificates are not
                                  checked (the report must say so) */
    char *compute_api_version; /* optional pin ("2.79"), NULL if unset */
};

/*
 * Load one cloud's settings into *out (zeroed or released before; on
 * failure it is untouched).  Release with odca_os_cloud_release().
 *
 * name: the cloud to load from clouds.yaml; NULL: $OS_CLOUD if set, else,
 * when file is given, its only cloud, else the OS_* variables (OS_AUTH_URL
 * must be set): OS_AUTH_TYPE, OS_AUTH_URL, OS_USERNAME, OS_USER_ID,
 * OS_PASSWORD, OS_PROJECT_NAME, OS_PROJECT_ID, OS_TENANT_NAME,
 * OS_TENANT_ID, OS_USER_DOMAIN_NAME/ID, OS_PROJECT_DOMAIN_NAME/ID,
 * OS_DOMAIN_NAME/ID, OS_REGION_NAME, OS_INTERFACE, OS_ENDPOINT_TYPE,
 * OS_CACERT, OS_VERIFY, OS_INSECURE, OS_COMPUTE_API_VERSION and
 * OS_APPLICATION_CREDENTIAL_ID/NAME/SECRET.
 * file: the clouds.yaml to read; NULL: the search above.
 *
 * Auth types: absent, "password" or "v3password" need auth_url, a user
 * (username or user_id), password and a project (project_name or
 * project_id).  "v3applicationcredential" needs auth_url,
 * application_credential_secret and application_credential_id, or
 * application_credential_name with a user; it is also assumed when no
 * auth_type is given and there is a secret but no password.
 *
 * Errors: ODCA_ERR_INPUT for a file that cannot be read, is not valid YAML
 * ("path:line:column: invalid YAML: ..."), has a value of the wrong type
 * (naming clouds.NAME.auth.KEY and its line and column), lacks the cloud
 * (listing those it has) or a required setting (naming where it was looked
 * for), or holds a secret others can read; ODCA_ERR_UNSUPPORTED for
 * another auth type.  No message holds a password or secret.
 */
int odca_os_cloud_load(const char *name, const char *file,
                       struct odca_os_cloud *out, struct odca_error **err);

/* Free the fields, wiping password and secret first, and zero *c.
   Accepts a zeroed struct. */
void odca_os_cloud_release(struct odca_os_cloud *c);

#endif
