/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/identity.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"

/* A string member of o, bounded; NULL when absent, not a string or empty. */
static char *
member_text (json_object *o, const char *key)
{
  json_object *v = json_get (o, key);
  if (v == NULL || !json_object_is_type (v, json_type_string) || json_object_get_string_len (v) == 0)
    return NULL;
  return text_excerpt (json_object_get_string (v));
}

static bool
annotation_is (json_object *annotations, const char *key, const char *value)
{
  json_object *v = json_get (annotations, key);
  return v && json_object_is_type (v, json_type_string) && strcmp (json_object_get_string (v), value) == 0;
}

/* The source of the bind at `destination` when it is DIR/ID/TAIL (tail
 * begins with '/'), with *start and *end around ID in it; NULL otherwise. */
static const char *
bind_source (json_object *config, const char *destination, const char *tail, size_t *start, size_t *end)
{
  json_object *mounts = json_get (config, "mounts");
  size_t n = mounts && json_object_is_type (mounts, json_type_array) ? json_object_array_length (mounts) : 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *dest = json_get (m, "destination"), *src = json_get (m, "source");
      if (!dest || !src || !json_object_is_type (dest, json_type_string) || !json_object_is_type (src, json_type_string)
          || strcmp (json_object_get_string (dest), destination) != 0)
        continue;
      const char *s = json_object_get_string (src);
      size_t len = strlen (s), tail_len = strlen (tail);
      if (len <= tail_len || strcmp (s + len - tail_len, tail) != 0)
        return NULL;
      *end = len - tail_len;
      *start = *end;
      while (*start > 0 && s[*start - 1] != '/')
        (*start)--;
      return *start < *end ? s : NULL;
    }
  return NULL;
}

/* Podman's container ID, from the source of a file it binds from the
 * container's own directory, STORAGE/ID/userdata/NAME: .containerenv at
 * /run/.containerenv, hostname at /etc/hostname (--read-only puts
 * .containerenv on a tmpfs instead). */
static char *
podman_id (json_object *config)
{
  static const char *const binds[][2] = {
    { "/run/.containerenv", "/userdata/.containerenv" },
    { "/etc/hostname", "/userdata/hostname" },
  };
  for (size_t b = 0; b < ARRAY_SIZE (binds); b++)
    {
      size_t start, end;
      const char *s = bind_source (config, binds[b][0], binds[b][1], &start, &end);
      if (s)
        {
          cleanup_free char *id = xstrndup (s + start, end - start);
          return text_excerpt (id);
        }
    }
  return NULL;
}

void
container_identity_from_config (json_object *config, struct container_identity *out)
{
  *out = (struct container_identity){ 0 };
  json_object *a = json_get (config, "annotations");
  if (a == NULL || !json_object_is_type (a, json_type_object))
    return;
  if (annotation_is (a, "io.container.manager", "libpod"))
    {
      out->engine = "podman";
      out->id = podman_id (config);
    }
  else if (annotation_is (a, "io.container.manager", "cri-o") || json_get (a, "io.kubernetes.cri-o.ContainerID"))
    {
      out->engine = "cri-o";
      out->id = member_text (a, "io.kubernetes.cri-o.ContainerID");
      out->name = member_text (a, "io.kubernetes.container.name");
      out->image = member_text (a, "io.kubernetes.cri-o.ImageName");
      out->pod = member_text (a, "io.kubernetes.pod.name");
      out->namespace = member_text (a, "io.kubernetes.pod.namespace");
    }
  else if (json_get (a, "io.kubernetes.cri.container-type"))
    {
      out->engine = "containerd";
      out->name = member_text (a, "io.kubernetes.cri.container-name");
      out->image = member_text (a, "io.kubernetes.cri.image-name");
      out->pod = member_text (a, "io.kubernetes.cri.sandbox-name");
      out->namespace = member_text (a, "io.kubernetes.cri.sandbox-namespace");
      /* A pod's sandbox (pause) container is known by its sandbox ID. */
      if (annotation_is (a, "io.kubernetes.cri.container-type", "sandbox"))
        out->id = member_text (a, "io.kubernetes.cri.sandbox-id");
    }
  else if (json_get (a, "nerdctl/name") || json_get (a, "nerdctl/namespace"))
    {
      out->engine = "nerdctl";
      out->name = member_text (a, "nerdctl/name");
      out->namespace = member_text (a, "nerdctl/namespace");
    }
}

int
container_identity_from_docker (json_object *config, const char *id, struct container_identity *out,
                                ocigate_error_t *err)
{
  size_t start, end;
  const char *s = id && id[0] ? bind_source (config, "/etc/hostname", "/hostname", &start, &end) : NULL;
  /* Docker's record of this very container: DATA-ROOT/containers/ID/. */
  static const char parent[] = "/containers/";
  if (s == NULL || end - start != strlen (id) || strncmp (s + start, id, end - start) != 0 || start < sizeof parent - 1
      || strncmp (s + start - (sizeof parent - 1), parent, sizeof parent - 1) != 0)
    return 0;
  cleanup_free char *path = xasprintf ("%.*s/config.v2.json", (int)end, s);
  cleanup_close int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return 0; /* not Docker's, or no record: nothing to say */
  /* Only dockerd (root) may have written what the log will believe. */
  cleanup_free char *buf = NULL;
  size_t len = 0;
  cleanup_json json_object *record = NULL;
  if (trust_check (fd, path, "docker record", NULL, OCIGATE_ERR_INPUT, err) < 0
      || read_fd_limited (fd, path, DOCKER_RECORD_MAX_BYTES, &buf, &len, err) < 0
      || json_parse_untrusted (buf, len, path, &record, err) < 0)
    return -1;
  json_object *name = json_get (record, "Name");
  const char *n = name && json_object_is_type (name, json_type_string) ? json_object_get_string (name) : "";
  out->engine = "docker";
  free (out->name);
  out->name = n[0] == '/' && n[1] ? text_excerpt (n + 1) : n[0] ? text_excerpt (n) : NULL;
  free (out->image);
  out->image = member_text (json_get (record, "Config"), "Image");
  return 0;
}

void
container_identity_release (struct container_identity *id)
{
  free (id->id);
  free (id->name);
  free (id->image);
  free (id->pod);
  free (id->namespace);
  *id = (struct container_identity){ 0 };
}

static void
member (struct strbuf *sb, const char *key, const char *value)
{
  if (value == NULL)
    return;
  strbuf_appendf (sb, ", \"%s\": ", key);
  strbuf_append_json_string (sb, value);
}

void
container_identity_append_json (struct strbuf *sb, const struct container_identity *id, bool with_id)
{
  if (with_id)
    member (sb, "id", id->id);
  member (sb, "name", id->name);
  member (sb, "image", id->image);
  member (sb, "pod", id->pod);
  member (sb, "namespace", id->namespace);
  member (sb, "engine", id->engine);
}
