/* ocigate: which container a config is, as its engine names it, for the
 * decision log and `ocigate audit`: the annotations each engine writes into
 * config.json.  Whoever writes the config chooses them: they say what the
 * container claims to be, never what a decision turns on.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_IDENTITY_H
#define OCIGATE_IDENTITY_H

#include "core/config.h"

/* A value longer than this is cut (at a character) and ends in "...". */
#define CONTAINER_IDENTITY_MAX 256

/* Each member NULL when the config does not say. */
struct container_identity
{
  const char *engine; /* "containerd" (CRI), "cri-o", "podman", "nerdctl" (static) */
  char *id;           /* the engine's container ID, where the config says it */
  char *name;         /* the container's name (Kubernetes: in its pod) */
  char *image;
  char *pod;       /* Kubernetes: the pod (sandbox) name */
  char *namespace; /* Kubernetes: the pod's namespace; nerdctl: containerd's */
};

/* The identity a config's annotations give (config: the whole config.json
 * tree; anything else, or no annotations, gives an empty identity):
 *   CRI containerd  io.kubernetes.cri.container-name, .image-name,
 *                   .sandbox-name, .sandbox-namespace, .sandbox-id (a pod's
 *                   sandbox: no container name)
 *   CRI-O           io.container.manager "cri-o": io.kubernetes.container.name,
 *                   io.kubernetes.cri-o.ImageName, io.kubernetes.pod.name,
 *                   io.kubernetes.pod.namespace, io.kubernetes.cri-o.ContainerID
 *   Podman          io.container.manager "libpod": no name or image (Podman
 *                   4.3 writes neither); the ID from the source of the
 *                   /run/.containerenv or /etc/hostname it binds
 *                   (.../ID/userdata/NAME)
 *   nerdctl         nerdctl/name, nerdctl/namespace
 * Docker (20.10) writes no annotation: nothing. */
void container_identity_from_config (json_object *config, struct container_identity *out);

/* Docker (20.10) writes no annotation, but keeps its own record of the
 * container beside the files it binds into it: with the runtime's ID,
 * when the config binds /etc/hostname from DATA-ROOT/containers/ID/hostname,
 * DATA-ROOT/containers/ID/config.v2.json gives the name ("Name", without
 * its "/") and the image ("Config.Image"), and engine "docker".  Read only
 * when it is a regular file that belongs, with every directory above, to
 * root (or the caller) and nobody else may write (trust_check()): dockerd
 * wrote it, not whoever writes configs.  0 with nothing set when there is
 * no such record; -1 with err when one is there but not to be believed or
 * read. */
#define DOCKER_RECORD_MAX_BYTES (1u << 20)
int container_identity_from_docker (json_object *config, const char *id, struct container_identity *out,
                                    ocigate_error_t *err);

void container_identity_release (struct container_identity *id);
#define cleanup_container_identity __attribute__ ((cleanup (container_identity_release)))

/* The identity's known members as JSON members, each `, "KEY": "VALUE"`
 * (escaped), appended to sb; "id" only with with_id. */
void container_identity_append_json (struct strbuf *sb, const struct container_identity *id, bool with_id);

#endif
