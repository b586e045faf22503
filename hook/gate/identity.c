/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/identity.h"

#include <stdlib.h>
#include <string.h>

/* The annotation's value, bounded, or NULL when it is absent, not a
 * string, or empty. */
static char *
annotation (json_object *annotations, const char *key)
{
  json_object *v = json_get (annotations, key);
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
  json_object *mounts = json_get (config, "mounts");
  size_t n = mounts && json_object_is_type (mounts, json_type_array) ? json_object_array_length (mounts) : 0;
  for (size_t b = 0; b < ARRAY_SIZE (binds); b++)
    for (size_t i = 0; i < n; i++)
      {
        json_object *m = json_object_array_get_idx (mounts, i);
        json_object *dest = json_get (m, "destination"), *src = json_get (m, "source");
        if (!dest || !src || !json_object_is_type (dest, json_type_string)
            || !json_object_is_type (src, json_type_string) || strcmp (json_object_get_string (dest), binds[b][0]) != 0)
          continue;
        const char *s = json_object_get_string (src), *tail = binds[b][1];
        size_t len = strlen (s), tail_len = strlen (tail);
        if (len <= tail_len || strcmp (s + len - tail_len, tail) != 0)
          break;
        size_t end = len - tail_len, start = end;
        while (start > 0 && s[start - 1] != '/')
          start--;
        if (start == end)
          break;
        cleanup_free char *id = xstrndup (s + start, end - start);
        return text_excerpt (id);
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
      out->id = annotation (a, "io.kubernetes.cri-o.ContainerID");
      out->name = annotation (a, "io.kubernetes.container.name");
      out->image = annotation (a, "io.kubernetes.cri-o.ImageName");
      out->pod = annotation (a, "io.kubernetes.pod.name");
      out->namespace = annotation (a, "io.kubernetes.pod.namespace");
    }
  else if (json_get (a, "io.kubernetes.cri.container-type"))
    {
      out->engine = "containerd";
      out->name = annotation (a, "io.kubernetes.cri.container-name");
      out->image = annotation (a, "io.kubernetes.cri.image-name");
      out->pod = annotation (a, "io.kubernetes.cri.sandbox-name");
      out->namespace = annotation (a, "io.kubernetes.cri.sandbox-namespace");
      /* A pod's sandbox (pause) container is known by its sandbox ID. */
      if (annotation_is (a, "io.kubernetes.cri.container-type", "sandbox"))
        out->id = annotation (a, "io.kubernetes.cri.sandbox-id");
    }
  else if (json_get (a, "nerdctl/name") || json_get (a, "nerdctl/namespace"))
    {
      out->engine = "nerdctl";
      out->name = annotation (a, "nerdctl/name");
      out->namespace = annotation (a, "nerdctl/namespace");
    }
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
